import type {
  DriftCheckResult,
  Driver,
  DriverContext,
  DriverInputProblem,
  DriverResult,
} from '@baton/backstage-plugin-orchestrator-node';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { TerraformRunSummary, TerraformStateStore } from '../../database/TerraformStateStore';
import { runTerraform, TerraformMessage, TerraformRunResult } from './runTerraform';
import { StateCipher, TerraformStateServer } from './TerraformStateServer';
import { TerraformInputs, terraformInputProblems } from './terraformInputs';
import { terraformEnvironment, writeModule, writeVariables } from './terraformModuleFiles';
import { TerraformRunFolders } from './terraformRunFolders';
import { TerraformStates } from './terraformStates';

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
  private readonly states: TerraformStates;
  private readonly runFolders: TerraformRunFolders;
  private readonly timeoutMs: number;
  private readonly processEnv: NodeJS.ProcessEnv;

  constructor(private readonly options: TerraformDriverOptions) {
    this.timeoutMs = (options.timeoutSeconds ?? 1800) * 1000;
    this.processEnv = options.processEnv ?? process.env;
    this.stateServer = new TerraformStateServer({
      store: options.states,
      cipher: options.cipher,
      lockLeaseMs: (options.lockLeaseSeconds ?? 30) * 1000,
    });
    this.states = new TerraformStates(options.states, options.cipher);
    this.runFolders = new TerraformRunFolders(path.join(options.workDir, 'runs'), this.states);
  }

  validateInputs(values: Record<string, unknown>, secretKeys: string[]): DriverInputProblem[] {
    return terraformInputProblems(values, secretKeys);
  }

  async provision(ctx: DriverContext): Promise<DriverResult> {
    return this.withRun(ctx, async run => {
      const result = await run.terraform(['apply', '-auto-approve', '-input=false', '-json', `-lock-timeout=${run.lockTimeout}`]);
      await this.states.recordSummary(ctx.guresid, 'apply', result.messages);
      if (result.exitCode !== 0) {
        throw new Error(`apply failed${whatWasMade(result.messages)}: ${result.errors.join('; ') || `exit code ${result.exitCode}`}`);
      }
      return this.states.outputs(ctx.guresid);
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
      await this.states.recordSummary(ctx.guresid, 'plan', result.messages);
      const items = driftItems(result.messages);
      return { items: items.length ? items : [{ kind: 'changed', detail: 'terraform plan would make changes' }] };
    });
  }

  async destroy(ctx: DriverContext): Promise<void> {
    if (!(await this.options.states.getState(ctx.guresid))) return;
    await this.withRun(ctx, async run => {
      const result = await run.terraform(['destroy', '-auto-approve', '-input=false', '-json', `-lock-timeout=${run.lockTimeout}`]);
      if (result.exitCode !== 0) {
        await this.states.recordSummary(ctx.guresid, 'destroy', result.messages);
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
    const runDir = await this.runFolders.create(ctx);
    const state = await this.stateServer.open(ctx.guresid, {
      onBrokenLock: lock => ctx.logger.warn(`terraform: broke the state lock of an interrupted run (held since ${lockCreated(lock.info)}, lapsed ${lock.expiresAt.toISOString()})`),
    });
    try {
      const moduleDir = await writeModule(ctx, inputs, runDir, this.processEnv, redact);
      const pluginCache = path.join(this.options.workDir, 'plugin-cache');
      await fs.mkdir(pluginCache, { recursive: true });
      const env = terraformEnvironment({
        processEnv: this.processEnv,
        env: inputs.env,
        secretEnv: secrets.env,
        stateEnv: state.env,
        pluginCache,
        runDir,
      });
      await writeVariables(moduleDir, inputs.variables ?? {}, secrets.variables ?? {}, env);
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
      await this.runFolders.remove(ctx, runDir);
    }
  }
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

function lockCreated(info: string): string {
  try {
    const parsed = JSON.parse(info) as { Created?: string; Who?: string };
    return `${parsed.Created ?? 'an unknown time'}${parsed.Who ? ` by ${parsed.Who}` : ''}`;
  } catch {
    return 'an unknown time';
  }
}

/** Secret values long enough to be recognised in Terraform's output. */
function secretStrings(value: unknown): string[] {
  if (typeof value === 'string') return value.length >= 4 ? [value] : [];
  if (typeof value === 'number') return String(value).length >= 4 ? [String(value)] : [];
  if (value && typeof value === 'object') return Object.values(value).flatMap(secretStrings);
  return [];
}
