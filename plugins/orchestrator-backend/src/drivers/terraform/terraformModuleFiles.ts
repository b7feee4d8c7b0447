import type { DriverContext } from '@baton/backstage-plugin-orchestrator-node';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { insideModule, TerraformInputs, VARIABLE_NAME } from './terraformInputs';

const execFileAsync = promisify(execFile);

/** Variables of the backend's environment a Terraform run may see; the rest (database passwords, keys) it never does. */
const PASSED_ENV = [
  'PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SSL_CERT_FILE', 'SSL_CERT_DIR',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'TF_CLI_CONFIG_FILE', 'SSH_AUTH_SOCK', 'GIT_SSH_COMMAND',
];

/** Writes the module into the run's folder (or checks it out there) and returns its folder. */
export async function writeModule(
  ctx: DriverContext,
  inputs: TerraformInputs,
  runDir: string,
  processEnv: NodeJS.ProcessEnv,
  redact: (s: string) => string,
): Promise<string> {
  if (typeof inputs.script === 'string') {
    const dir = path.join(runDir, 'module');
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'main.tf'), inputs.script);
    await fs.writeFile(path.join(dir, 'baton_backend.tf'), 'terraform {\n  backend "http" {}\n}\n');
    return dir;
  }
  const source = inputs.source;
  if (!source) throw new Error('driverInputs.values needs script (the module inline) or source (a Git repository)');
  if (source.path && !insideModule(source.path)) throw new Error(`values.source.path ${source.path} leaves the repository`);
  const checkout = path.join(runDir, 'checkout');
  const git = async (...args: string[]) => {
    try {
      await execFileAsync('git', args, {
        cwd: checkout,
        timeout: 120_000,
        env: { PATH: processEnv.PATH ?? '', HOME: processEnv.HOME ?? runDir, GIT_TERMINAL_PROMPT: '0', ...pick(processEnv, ['SSH_AUTH_SOCK', 'GIT_SSH_COMMAND']) },
      });
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? (error as Error).message).trim();
      throw new Error(`could not fetch the module ${source.url}${source.ref ? ` at ${source.ref}` : ''}: ${redact(stderr.split('\n').slice(-3).join(' '))}`);
    }
  };
  await fs.mkdir(checkout);
  await git('init', '--quiet');
  await git('fetch', '--quiet', '--depth', '1', source.url, source.ref ?? 'HEAD');
  await git('checkout', '--quiet', 'FETCH_HEAD');
  const dir = path.join(checkout, source.path ?? '');
  if (!(await fs.stat(dir).catch(() => undefined))?.isDirectory()) {
    throw new Error(`the module ${source.url} has no folder ${source.path}`);
  }
  await fs.rm(path.join(checkout, '.git'), { recursive: true, force: true });
  // A module from Git declares no backend (it is reusable); Baton adds its own.
  await fs.writeFile(path.join(dir, 'baton_backend.tf'), 'terraform {\n  backend "http" {}\n}\n');
  ctx.logger.info(`terraform: module ${source.url}${source.ref ? ` at ${source.ref}` : ''}${source.path ? `, folder ${source.path}` : ''}`);
  return dir;
}

/**
 * Terraform's environment: the few variables of the backend's that it
 * needs, the definition's, the secret ones, the state backend's, and
 * Baton's settings (no prompts, the shared plugin cache, data in the run's folder).
 */
export function terraformEnvironment(options: {
  processEnv: NodeJS.ProcessEnv;
  env?: Record<string, string>;
  secretEnv: unknown;
  stateEnv: Record<string, string>;
  pluginCache: string;
  runDir: string;
}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSED_ENV) {
    const value = options.processEnv[name];
    if (value !== undefined) env[name] = value;
  }
  return Object.assign(env, options.env ?? {}, stringValues(options.secretEnv), options.stateEnv, {
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    TF_PLUGIN_CACHE_DIR: options.pluginCache,
    // Terraform writes a crash log and errored.tfstate beside the module; nothing else goes to disk.
    TF_DATA_DIR: path.join(options.runDir, '.terraform'),
  });
}

/** Plain variables in a file beside the module; secret ones only in the environment (`TF_VAR_*`). */
export async function writeVariables(
  moduleDir: string,
  plain: Record<string, unknown>,
  secret: Record<string, unknown>,
  env: Record<string, string>,
) {
  await fs.writeFile(path.join(moduleDir, 'baton.auto.tfvars.json'), JSON.stringify(plain));
  for (const [name, value] of Object.entries(secret)) {
    if (!VARIABLE_NAME.test(name)) throw new Error(`secrets.variables.${name} is not a Terraform variable name`);
    env[`TF_VAR_${name}`] = typeof value === 'string' ? value : JSON.stringify(value);
  }
}

function pick(env: NodeJS.ProcessEnv, names: string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap(n => (env[n] !== undefined ? [[n, env[n]!]] : [])));
}

function stringValues(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}
