import type { DriverInputProblem } from '@baton/backstage-plugin-orchestrator-node';
import path from 'node:path';

/** `driverInputs.values` of a definition using the `terraform` driver. */
export interface TerraformInputs {
  /** The module inline: the text of its `main.tf`. */
  script?: string;
  /** Or a module in a Git repository (https, ssh, or a local path or bare repository). */
  source?: { url: string; ref?: string; path?: string };
  /** Module variables; placeholders resolved as everywhere. */
  variables?: Record<string, unknown>;
  /** Environment variables for Terraform (provider credentials go in `driverInputs.secrets.env`). */
  env?: Record<string, string>;
  /** Time limit of one Terraform command, at most the configured one. */
  timeoutSeconds?: number;
}

export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks beyond the driver's `inputsSchema`, when a definition is saved. */
export function terraformInputProblems(values: Record<string, unknown>, secretKeys: string[]): DriverInputProblem[] {
  const problems: DriverInputProblem[] = [];
  const has = (key: string) => values[key] !== undefined;
  if (has('script') === has('source')) {
    problems.push({ path: 'values', message: 'give the module either inline (values.script) or from Git (values.source), not both' });
  }
  if (secretKeys.some(k => k === 'script' || k === 'source')) {
    problems.push({ path: 'secrets', message: 'the module itself cannot be secret (it is written to a file); pass secrets as secrets.variables' });
  }
  const source = values.source as TerraformInputs['source'] | undefined;
  if (source?.path && !insideModule(source.path)) {
    problems.push({ path: 'values.source.path', message: `${source.path} leaves the repository` });
  }
  for (const name of Object.keys((values.variables as object) ?? {})) {
    if (!VARIABLE_NAME.test(name)) problems.push({ path: `values.variables.${name}`, message: 'is not a Terraform variable name' });
  }
  for (const name of Object.keys((values.env as object) ?? {})) {
    if (!ENV_NAME.test(name)) problems.push({ path: `values.env.${name}`, message: 'is not an environment variable name' });
  }
  return problems;
}

/** Whether a folder inside a module's repository stays inside it. */
export function insideModule(relative: string): boolean {
  const normalized = path.posix.normalize(relative);
  return !path.posix.isAbsolute(normalized) && !normalized.split('/').includes('..');
}
