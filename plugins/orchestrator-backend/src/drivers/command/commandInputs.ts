import type { DriverInputProblem } from '@baton/backstage-plugin-orchestrator-node';
import { isObject, isScalar, type Scalar } from './jsonValues';

/**
 * `driverInputs.values` of a definition using the `command` driver: what a
 * score-k8s `cmd://` provisioner entry says (`uri` → `command`, `args`), plus
 * what Baton adds around it.
 */
export interface CommandInputs {
  /** `cmd://…` as in score-k8s, an absolute path, or a name looked up on the backend's PATH. */
  command: string;
  /** Arguments; an argument that is exactly `<mode>` becomes `provision` or `deprovision`. */
  args?: Scalar[];
  /** Environment variables (secret ones go in `driverInputs.secrets.env`). */
  env?: Record<string, Scalar>;
  /** `namespace` of the stdin document. Default: `<app>-<env>`. */
  namespace?: string;
  /** Output keys that are secret outputs although the command returns them plainly. */
  secretOutputs?: string[];
  /** Time limit of this definition's runs, at most the configured one. */
  timeoutSeconds?: number;
}

/**
 * The typed inputs of a run, from `ctx.inputs` as the engine checked them
 * against the driver's `inputsSchema`; a value of another type (a run that
 * skipped that check) fails, naming the input.
 */
export function readCommandInputs(values: Record<string, unknown>): CommandInputs {
  const { command, args, env, namespace, secretOutputs, timeoutSeconds } = values;
  if (typeof command !== 'string' || !command) throw new Error('values.command is required');
  if (args !== undefined && !(Array.isArray(args) && args.every(isScalar))) {
    throw new Error('values.args must be a list of strings, numbers and booleans');
  }
  if (env !== undefined && !isScalarMap(env)) {
    throw new Error(envProblems(env, 'values.env').map(p => `${p.path}: ${p.message}`).join('; '));
  }
  if (namespace !== undefined && typeof namespace !== 'string') throw new Error('values.namespace must be a string');
  if (secretOutputs !== undefined && !(Array.isArray(secretOutputs) && secretOutputs.every(k => typeof k === 'string'))) {
    throw new Error('values.secretOutputs must be a list of output keys');
  }
  if (timeoutSeconds !== undefined && typeof timeoutSeconds !== 'number') throw new Error('values.timeoutSeconds must be a number');
  return { command, args, env, namespace, secretOutputs, timeoutSeconds };
}

function isScalarMap(value: unknown): value is Record<string, Scalar> {
  return isObject(value) && Object.values(value).every(isScalar);
}

/** Variables of the backend's environment a command sees; the rest (database passwords, keys) it never does. */
export const PASSED_ENV = [
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR',
  'SSL_CERT_FILE', 'SSL_CERT_DIR',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// The dynamic loader's variables would run any code inside even a tightly allowed executable.
const LOADER_ENV = /^(LD_|DYLD_)/;

/** What is wrong with a map of environment variables (`values.env` or `secrets.env`) at `at`. */
export function envProblems(env: unknown, at: string): DriverInputProblem[] {
  if (env === undefined) return [];
  if (!isObject(env)) return [{ path: at, message: 'must be a map of environment variables' }];
  const problems: DriverInputProblem[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!ENV_NAME.test(name)) problems.push({ path: `${at}.${name}`, message: 'is not an environment variable name' });
    else if (LOADER_ENV.test(name)) problems.push({ path: `${at}.${name}`, message: "the dynamic loader's variables (LD_*, DYLD_*) are not passed: they would run other code inside the command" });
    else if (!isScalar(value)) problems.push({ path: `${at}.${name}`, message: 'must be a string' });
  }
  return problems;
}
