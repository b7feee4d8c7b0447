import type {
  DriftCheckResult,
  Driver,
  DriverContext,
  DriverInputProblem,
  DriverResult,
} from '@baton/backstage-plugin-orchestrator-node';
import { execFile } from 'node:child_process';
import { promises as fs, existsSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { TerraformRunSummary, TerraformStateStore } from '../../database/TerraformStateStore';
import { runTerraform, TerraformMessage, TerraformRunResult } from './runTerraform';
import { StateCipher, TerraformStateServer } from './TerraformStateServer';

const execFileAsync = promisify(execFile);

/** `driverInputs.values` of a definition using the `terraform` driver. */
interface TerraformInputs {
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

/** @internal */
export interface TerraformDriverOptions {
  /** `terraform` or `tofu` (a name on PATH or a path). */
  binary: string;
  states: TerraformStateStore;
  cipher: StateCipher;
  /** Where runs get their temporary folders, and the shared plugin cache. */
  workDir: string;
  /** Time limit of one Terraform command. Default: 1,800 s. */
  timeoutSeconds?: number;
  /** How long a state lock lasts without renewal; a killed backend's lock is broken after it. Default: 30 s. */
  lockLeaseSeconds?: number;
  /** The backend's environment, of which only the variables Terraform needs are passed on. */
  processEnv?: NodeJS.ProcessEnv;
}

/** Variables of the backend's environment a Terraform run may see; the rest (database passwords, keys) it never does. */
const PASSED_ENV = [
  'PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SSL_CERT_FILE', 'SSL_CERT_DIR',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'TF_CLI_CONFIG_FILE', 'SSH_AUTH_SOCK', 'GIT_SSH_COMMAND',
];
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The Terraform binary: `tofu` when it is on PATH, otherwise `terraform`. @internal */
export function defaultTerraformBinary(env: NodeJS.ProcessEnv = process.env): string {
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  return dirs.some(dir => existsSync(path.join(dir, 'tofu'))) ? 'tofu' : 'terraform';
}

/**
 * The `terraform` driver: a Terraform or OpenTofu module per resource,
 * inline or from Git. Each run works in a fresh folder that is removed
 * afterwards; the state is kept by Baton (see {@link TerraformStateServer});
 * secret variables reach Terraform only as `TF_VAR_*` environment variables;
 * module outputs become resource outputs, sensitive ones secret outputs.
 * `check` is `plan -detailed-exitcode`; `destroy` destroys what the state holds.
 *
 * @internal
 */
export class TerraformDriver implements Driver {
  readonly id = 'terraform';
  /** A module's own `${…}` are Terraform's: the script is not a place for Baton's placeholders (variables are). */
  readonly verbatimInputs = ['script'];
  readonly inputsSchema = {
    type: 'object',
    properties: {
      script: { type: 'string', minLength: 1, description: 'The module inline: the text of its main.tf.' },
      source: {
        type: 'object',
        description: 'A module in a Git repository: url (https, ssh or a local path), ref (branch, tag or commit; default HEAD), path (folder in the repository).',
        required: ['url'],
        properties: {
          url: { type: 'string', minLength: 1 },
          ref: { type: 'string', minLength: 1 },
          path: { type: 'string' },
        },
        additionalProperties: false,
      },
      variables: { type: 'object', description: 'Module variables; secret ones go in driverInputs.secrets.variables.' },
      env: {
        type: 'object',
        description: 'Environment variables for Terraform; credentials go in driverInputs.secrets.env.',
        additionalProperties: { type: 'string' },
      },
      timeoutSeconds: { type: 'integer', minimum: 1, description: 'Time limit of one Terraform command.' },
    },
    additionalProperties: false,
  };

  private readonly stateServer: TerraformStateServer;
  private readonly timeoutMs: number;
  private readonly processEnv: NodeJS.ProcessEnv;
  /** Run folders of this process, so that a leftover of another one can be told apart. */
  private readonly activeRuns = new Set<string>();

  constructor(private readonly options: TerraformDriverOptions) {
    this.timeoutMs = (options.timeoutSeconds ?? 1800) * 1000;
    this.processEnv = options.processEnv ?? process.env;
    this.stateServer = new TerraformStateServer({
      store: options.states,
      cipher: options.cipher,
      lockLeaseMs: (options.lockLeaseSeconds ?? 30) * 1000,
    });
  }

  validateInputs(values: Record<string, unknown>, secretKeys: string[]): DriverInputProblem[] {
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

  async provision(ctx: DriverContext): Promise<DriverResult> {
    return this.withRun(ctx, async run => {
      const result = await run.terraform(['apply', '-auto-approve', '-input=false', '-json', `-lock-timeout=${run.lockTimeout}`]);
      await this.recordSummary(ctx.guresid, 'apply', result.messages);
      if (result.exitCode !== 0) {
        throw new Error(`apply failed${whatWasMade(result.messages)}: ${result.errors.join('; ') || `exit code ${result.exitCode}`}`);
      }
      return this.outputsOf(ctx.guresid);
    });
  }

  async check(ctx: DriverContext): Promise<DriftCheckResult> {
    if (!(await this.options.states.getState(ctx.guresid))) {
      return { items: [{ kind: 'missing', detail: 'Baton holds no Terraform state for this resource' }] };
    }
    return this.withRun(ctx, async run => {
      // Read-only: no lock, so a check never waits for (or blocks) a deployment.
      const result = await run.terraform(['plan', '-detailed-exitcode', '-lock=false', '-input=false', '-json']);
      if (result.exitCode === 0) return { items: [] };
      if (result.exitCode !== 2) throw new Error(`plan failed: ${result.errors.join('; ') || `exit code ${result.exitCode}`}`);
      await this.recordSummary(ctx.guresid, 'plan', result.messages);
      const items = driftItems(result.messages);
      return { items: items.length ? items : [{ kind: 'changed', detail: 'terraform plan would make changes' }] };
    });
  }

  async destroy(ctx: DriverContext): Promise<void> {
    if (!(await this.options.states.getState(ctx.guresid))) return;
    await this.withRun(ctx, async run => {
      const result = await run.terraform(['destroy', '-auto-approve', '-input=false', '-json', `-lock-timeout=${run.lockTimeout}`]);
      if (result.exitCode !== 0) {
        await this.recordSummary(ctx.guresid, 'destroy', result.messages);
        throw new Error(`destroy failed (what remains is in the state; deprovision again to retry): ${result.errors.join('; ') || `exit code ${result.exitCode}`}`);
      }
    });
    await this.options.states.delete(ctx.guresid);
  }

  /** The last run of each resource, for the platform page. */
  async lastRuns(guresids: string[]): Promise<Map<string, TerraformRunSummary>> {
    return this.options.states.lastRuns(guresids);
  }

  async close(): Promise<void> {
    await this.stateServer.close();
  }

  /**
   * Prepares a run: a fresh folder with the module, its variables and the
   * state backend; `init`; then `fn`. The folder is removed afterwards.
   */
  private async withRun<T>(
    ctx: DriverContext,
    fn: (run: { terraform(args: string[]): Promise<TerraformRunResult>; lockTimeout: string }) => Promise<T>,
  ): Promise<T> {
    const inputs = ctx.inputs as TerraformInputs;
    const secrets = ctx.secrets as { variables?: Record<string, unknown>; env?: Record<string, unknown>; script?: unknown; source?: unknown };
    if (secrets.script !== undefined || secrets.source !== undefined) {
      throw new Error('the module itself cannot read a secret (it is written to a file); pass secrets as variables');
    }
    const secretValues = secretStrings(ctx.secrets);
    const redact = (text: string) => secretValues.reduce((t, s) => t.split(s).join('***'), text);
    const runsDir = path.join(this.options.workDir, 'runs');
    await fs.mkdir(runsDir, { recursive: true });
    await this.recoverLeftovers(ctx, runsDir);
    const runDir = path.join(runsDir, `${safeName(ctx.guresid)}.${process.pid}.${randomBytes(4).toString('hex')}`);
    await fs.mkdir(runDir, { mode: 0o700 });
    this.activeRuns.add(runDir);
    const state = await this.stateServer.open(ctx.guresid, {
      onBrokenLock: lock => ctx.logger.warn(`terraform: broke the state lock of an interrupted run (held since ${lockCreated(lock.info)}, lapsed ${lock.expiresAt.toISOString()})`),
    });
    try {
      const moduleDir = await this.writeModule(ctx, inputs, runDir, redact);
      const pluginCache = path.join(this.options.workDir, 'plugin-cache');
      await fs.mkdir(pluginCache, { recursive: true });
      const env: Record<string, string> = {};
      for (const name of PASSED_ENV) {
        const value = this.processEnv[name];
        if (value !== undefined) env[name] = value;
      }
      Object.assign(env, inputs.env ?? {}, stringValues(secrets.env), state.env, {
        TF_IN_AUTOMATION: '1',
        TF_INPUT: '0',
        TF_PLUGIN_CACHE_DIR: pluginCache,
        // Terraform writes a crash log and errored.tfstate beside the module; nothing else goes to disk.
        TF_DATA_DIR: path.join(runDir, '.terraform'),
      });
      // Plain variables in a file; secret ones only in the environment.
      const plain = inputs.variables ?? {};
      await fs.writeFile(path.join(moduleDir, 'baton.auto.tfvars.json'), JSON.stringify(plain));
      for (const [name, value] of Object.entries(secrets.variables ?? {})) {
        if (!VARIABLE_NAME.test(name)) throw new Error(`secrets.variables.${name} is not a Terraform variable name`);
        env[`TF_VAR_${name}`] = typeof value === 'string' ? value : JSON.stringify(value);
      }
      const timeoutMs = Math.min(this.timeoutMs, (inputs.timeoutSeconds ?? Infinity) * 1000);
      const terraform = async (args: string[]) =>
        runTerraform({
          binary: this.options.binary,
          args: [...args, '-no-color'],
          cwd: moduleDir,
          outputDir: runDir,
          env,
          timeoutMs,
          signal: ctx.signal,
          redact,
          onLine: (level, message) => ctx.logger[level](`terraform: ${message}`),
          onStart: pid => fs.writeFile(path.join(runDir, 'terraform.pid'), String(pid)).catch(() => undefined),
        });
      const init = await terraform(['init', '-input=false', '-json']);
      if (init.exitCode !== 0) throw new Error(`init failed: ${init.errors.join('; ') || `exit code ${init.exitCode}`}`);
      return await fn({ terraform, lockTimeout: `${(this.options.lockLeaseSeconds ?? 30) + 15}s` });
    } catch (error) {
      throw new Error(redact(`terraform driver: ${(error as Error).message.replace(/^terraform driver: /, '')}`));
    } finally {
      await state.close();
      await this.keepErroredState(ctx, runDir);
      await fs.rm(runDir, { recursive: true, force: true });
      this.activeRuns.delete(runDir);
    }
  }

  /** Writes the module into the run's folder (or checks it out there) and returns its folder. */
  private async writeModule(ctx: DriverContext, inputs: TerraformInputs, runDir: string, redact: (s: string) => string): Promise<string> {
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
          env: { PATH: this.processEnv.PATH ?? '', HOME: this.processEnv.HOME ?? runDir, GIT_TERMINAL_PROMPT: '0', ...pick(this.processEnv, ['SSH_AUTH_SOCK', 'GIT_SSH_COMMAND']) },
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

  private async outputsOf(guresid: string): Promise<DriverResult> {
    const ciphertext = await this.options.states.getState(guresid);
    const state = ciphertext ? (JSON.parse(this.options.cipher.decrypt<string>(ciphertext)) as TerraformState) : undefined;
    const outputs: Record<string, unknown> = {};
    const secrets: Record<string, unknown> = {};
    for (const [name, output] of Object.entries(state?.outputs ?? {})) {
      (output.sensitive ? secrets : outputs)[name] = output.value;
    }
    return { outputs, secrets, cookie: { lineage: state?.lineage, serial: state?.serial } };
  }

  private async recordSummary(guresid: string, operation: TerraformRunSummary['operation'], messages: TerraformMessage[]) {
    const summary = messages.find(m => m.type === 'change_summary')?.changes;
    if (!summary) return;
    await this.options.states.putLastRun(guresid, {
      operation,
      add: summary.add ?? 0,
      change: summary.change ?? 0,
      destroy: summary.remove ?? 0,
      at: new Date().toISOString(),
    });
  }

  /**
   * When Terraform could not save its state (the state backend went away
   * with a stopped backend), it writes `errored.tfstate`: that state goes to
   * Baton's store before the folder is removed, so nothing made is lost.
   */
  private async keepErroredState(ctx: DriverContext, runDir: string) {
    const file = (await findFiles(runDir, 'errored.tfstate'))[0];
    if (!file) return;
    await this.importState(ctx, await fs.readFile(file, 'utf8'), 'this run');
  }

  /** Run folders of processes that are gone: their errored states are kept, the folders removed. */
  private async recoverLeftovers(ctx: DriverContext, runsDir: string) {
    const prefix = `${safeName(ctx.guresid)}.`;
    for (const name of await fs.readdir(runsDir)) {
      const dir = path.join(runsDir, name);
      if (!name.startsWith(prefix) || this.activeRuns.has(dir)) continue;
      const owner = Number(name.slice(prefix.length).split('.')[0]);
      const child = Number(await fs.readFile(path.join(dir, 'terraform.pid'), 'utf8').catch(() => 'NaN'));
      // Still running (this is another live process's run, or its Terraform has not given up yet).
      if ((owner !== process.pid && alive(owner)) || alive(child)) continue;
      const errored = (await findFiles(dir, 'errored.tfstate'))[0];
      if (errored) await this.importState(ctx, await fs.readFile(errored, 'utf8'), 'an interrupted run');
      await fs.rm(dir, { recursive: true, force: true });
    }
  }

  private async importState(ctx: DriverContext, text: string, from: string) {
    let state: TerraformState;
    try {
      state = JSON.parse(text);
    } catch {
      ctx.logger.error(`terraform: the state ${from} could not save is not JSON; it was not kept`);
      return;
    }
    const current = await this.options.states.getState(ctx.guresid);
    const known = current ? (JSON.parse(this.options.cipher.decrypt<string>(current)) as TerraformState) : undefined;
    if (known && known.lineage === state.lineage && (known.serial ?? 0) >= (state.serial ?? 0)) return;
    await this.options.states.putState(ctx.guresid, this.options.cipher.encrypt(text));
    ctx.logger.warn(`terraform: kept the state that ${from} could not save (serial ${state.serial})`);
  }
}

interface TerraformState {
  lineage?: string;
  serial?: number;
  outputs?: Record<string, { value: unknown; sensitive?: boolean }>;
}

function driftItems(messages: TerraformMessage[]): DriftCheckResult['items'] {
  const items: DriftCheckResult['items'] = [];
  for (const m of messages) {
    const addr = m.change?.resource?.addr;
    if (!addr) continue;
    if (m.type === 'resource_drift') items.push({ kind: 'changed', detail: `${addr} changed outside Terraform (${m.change?.action})` });
    if (m.type === 'planned_change') items.push({ kind: m.change?.action === 'create' ? 'missing' : 'changed', detail: `terraform would ${m.change?.action} ${addr}` });
  }
  return items;
}

/** ", 2 resources were made (kept in the state)" after a failed apply that got part of the way. */
function whatWasMade(messages: TerraformMessage[]): string {
  const made = messages.filter(m => m.type === 'apply_complete').length;
  return made ? ` after ${made} change(s) were made (they are in the state; a deprovision destroys them)` : '';
}

function insideModule(relative: string): boolean {
  const normalized = path.posix.normalize(relative);
  return !path.posix.isAbsolute(normalized) && !normalized.split('/').includes('..');
}

function safeName(guresid: string): string {
  return guresid.replace(/[^A-Za-z0-9_-]/g, '_');
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockCreated(info: string): string {
  try {
    const parsed = JSON.parse(info) as { Created?: string; Who?: string };
    return `${parsed.Created ?? 'an unknown time'}${parsed.Who ? ` by ${parsed.Who}` : ''}`;
  } catch {
    return 'an unknown time';
  }
}

function pick(env: NodeJS.ProcessEnv, names: string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap(n => (env[n] !== undefined ? [[n, env[n]!]] : [])));
}

function stringValues(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

/** Secret values long enough to be recognised in Terraform's output. */
function secretStrings(value: unknown): string[] {
  if (typeof value === 'string') return value.length >= 4 ? [value] : [];
  if (typeof value === 'number') return String(value).length >= 4 ? [String(value)] : [];
  if (value && typeof value === 'object') return Object.values(value).flatMap(secretStrings);
  return [];
}

async function findFiles(dir: string, name: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && entry.name === name) found.push(full);
    else if (entry.isDirectory() && entry.name !== '.terraform' && entry.name !== '.git') found.push(...(await findFiles(full, name)));
  }
  return found;
}
