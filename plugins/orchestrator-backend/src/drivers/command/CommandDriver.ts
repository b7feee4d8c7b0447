import type {
  Driver,
  DriverContext,
  DriverInputProblem,
  DriverResult,
} from '@baton/backstage-plugin-orchestrator-node';
import type { Config } from '@backstage/config';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AllowList, resolveExecutable } from './allowedExecutables';
import { CommandInputs, envProblems, PASSED_ENV, readCommandInputs } from './commandInputs';
import { isObject, secretStrings } from './jsonValues';
import { CommandCookie, provisionerInput, readCookie } from './provisionerInput';
import { parseOutput, patchMap, toManifests } from './provisionerOutput';
import { runProcess } from './runProcess';
import { splitOutputs } from './secretReferences';

/** @internal */
export interface CommandDriverOptions {
  /**
   * Executables that may run: absolute paths, or patterns of them where `*`
   * and `?` match within one path segment and `**` across segments. A
   * command is checked as the absolute path it resolves to. Empty: none.
   */
  allow: string[];
  /** Time limit of one run. Default: 60 s. */
  timeoutSeconds?: number;
  /** Most a run may print on stdout. Default: 1 MiB. */
  maxOutputBytes?: number;
  /** The backend's environment: the PATH commands are looked up on, and the few variables passed on. */
  processEnv?: NodeJS.ProcessEnv;
  /** What `cmd://./…` and `cmd://../…` are relative to. Default: the backend's working directory. */
  cwd?: string;
  /** Time between SIGTERM and SIGKILL when a run is stopped. Default: 3 s. */
  killGraceMs?: number;
}

const MODE = '<mode>';
const STDERR_SHOWN = 2000;

/**
 * The `command` driver runs score-k8s `cmd://` provisioners unchanged: the
 * executable reads score-k8s's JSON document on stdin and prints score-k8s's
 * JSON answer on stdout; `<mode>` in its arguments says `provision` (and, on
 * `destroy`, `deprovision`, which score-k8s never sends). Which executables
 * may run is the platform's configuration; a run has a time limit, an output
 * limit and a minimal environment, never the backend's own.
 *
 * @internal
 */
export class CommandDriver implements Driver {
  readonly id = 'command';
  // Arguments are scripts written for score-k8s, which never substitutes them: `${HOST}` stays a shell variable.
  readonly verbatimInputs = ['args'];
  readonly inputsSchema = {
    type: 'object',
    required: ['command'],
    properties: {
      command: { type: 'string', minLength: 1, description: 'cmd:// URI (as in score-k8s), absolute path, or name on PATH.' },
      args: {
        type: 'array',
        items: { type: ['string', 'number', 'boolean'] },
        description: "Arguments, passed as written (no placeholders, as in score-k8s); '<mode>' becomes provision or deprovision.",
      },
      env: {
        type: 'object',
        additionalProperties: { type: ['string', 'number', 'boolean'] },
        description: 'Environment variables; secret ones go in driverInputs.secrets.env.',
      },
      namespace: { type: 'string', minLength: 1, description: 'namespace of the stdin document; default <app>-<env>.' },
      secretOutputs: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Output keys made secret outputs.' },
      timeoutSeconds: { type: 'number', exclusiveMinimum: 0, description: 'Time limit of a run, at most the configured one.' },
    },
    additionalProperties: false,
  };

  /** `orchestrator.drivers.command.allow` and `.timeoutSeconds`. */
  static fromConfig(config: Config, options: Omit<CommandDriverOptions, 'allow' | 'timeoutSeconds'> = {}): CommandDriver {
    return new CommandDriver({
      ...options,
      allow: config.getOptionalStringArray('orchestrator.drivers.command.allow') ?? [],
      timeoutSeconds: config.getOptionalNumber('orchestrator.drivers.command.timeoutSeconds'),
    });
  }

  private readonly allow: AllowList;
  private readonly timeoutMs: number;
  private readonly maxOutputBytes: number;
  private readonly processEnv: NodeJS.ProcessEnv;
  private readonly cwd: string;
  private readonly killGraceMs: number;

  constructor(options: CommandDriverOptions) {
    this.allow = new AllowList(options.allow);
    const timeoutSeconds = options.timeoutSeconds ?? 60;
    if (!(timeoutSeconds > 0)) throw new Error(`orchestrator.drivers.command.timeoutSeconds must be positive, not ${timeoutSeconds}`);
    this.timeoutMs = timeoutSeconds * 1000;
    this.maxOutputBytes = options.maxOutputBytes ?? 1024 * 1024;
    this.processEnv = options.processEnv ?? process.env;
    this.cwd = options.cwd ?? process.cwd();
    this.killGraceMs = options.killGraceMs ?? 3000;
  }

  /** Checks beyond `inputsSchema` (which the backend checks first): the executable above all. */
  validateInputs(values: Record<string, unknown>, secretKeys: string[]): DriverInputProblem[] {
    const problems: DriverInputProblem[] = [];
    for (const key of secretKeys) {
      if (key !== 'env') {
        problems.push({ path: `secrets.${key}`, message: 'secrets reach the command only as environment variables: put them in secrets.env' });
      }
    }
    const command = values.command;
    if (typeof command === 'string' && command.includes('${')) {
      problems.push({ path: 'values.command', message: 'cannot hold placeholders: the executable is checked against the allow list when the definition is saved' });
    } else if (typeof command === 'string' && command) {
      const problem = this.commandProblem(command);
      if (problem) problems.push({ path: 'values.command', message: problem });
    }
    if (isObject(values.env)) problems.push(...envProblems(values.env, 'values.env'));
    const timeout = values.timeoutSeconds;
    if (typeof timeout === 'number' && timeout * 1000 > this.timeoutMs) {
      problems.push({ path: 'values.timeoutSeconds', message: `is more than the configured limit (orchestrator.drivers.command.timeoutSeconds: ${this.timeoutMs / 1000})` });
    }
    return problems;
  }

  async provision(ctx: DriverContext): Promise<DriverResult> {
    const { executable, inputs, env } = this.prepare(ctx);
    const cookie = readCookie(ctx.cookie);
    const stdout = await this.run(ctx, executable, inputs, env, 'provision', cookie);
    try {
      const output = parseOutput(stdout);
      const state: CommandCookie = {
        // As in score-k8s: state is replaced by what came back, nothing meaning empty.
        resource_state: output.resource_state ?? {},
        shared_state: output.shared_state ? patchMap(cookie.shared_state, output.shared_state) : cookie.shared_state,
      };
      const manifests = toManifests(output.manifests ?? []);
      const { outputs, secrets } = splitOutputs(
        output.resource_outputs ?? {},
        [...manifests.values()].map(m => m.manifest),
        inputs.secretOutputs ?? [],
        ctx.secrets,
      );
      return { outputs, secrets, cookie: state, manifests: Object.fromEntries([...manifests.values()].map(m => [m.name, m.manifest])) };
    } catch (error) {
      throw new Error(`${executable} (provision) ${(error as Error).message}`);
    }
  }

  /**
   * Runs the command in `deprovision` mode. A command without a `<mode>`
   * argument cannot tell the two apart, so it is not run: running it would
   * provision again.
   */
  async destroy(ctx: DriverContext): Promise<void> {
    const { executable, inputs, env } = this.prepare(ctx);
    if (!(inputs.args ?? []).some(a => a === MODE)) {
      ctx.logger.info(`${ctx.resource.uid}: ${executable} takes no ${MODE} argument, so it has no deprovision mode; nothing to run`);
      return;
    }
    await this.run(ctx, executable, inputs, env, 'deprovision', readCookie(ctx.cookie));
  }

  /** The executable (allowed), the inputs and the environment of a run, or an error saying what is wrong. */
  private prepare(ctx: DriverContext): { executable: string; inputs: CommandInputs; env: Record<string, string> } {
    for (const key of Object.keys(ctx.secrets)) {
      if (key === 'env') continue;
      // A value is among the secrets when it is in driverInputs.secrets or reads a secret output.
      throw new Error(
        key === 'args'
          ? 'args are secret: arguments are visible to every user of the host (ps); pass secret values in secrets.env'
          : `${key} is secret (it is in driverInputs.secrets or reads a secret output), but only env reaches the command as a secret`,
      );
    }
    const inputs = readCommandInputs(ctx.inputs);
    const resolved = resolveExecutable(inputs.command, { processEnv: this.processEnv, cwd: this.cwd });
    if ('error' in resolved) throw new Error(`values.command: ${resolved.error}`);
    const refused = this.allow.refusal(inputs.command, resolved.path);
    if (refused) throw new Error(`values.command: ${refused}`);
    const problems = [...envProblems(inputs.env, 'values.env'), ...envProblems(ctx.secrets.env, 'secrets.env')];
    if (problems.length) throw new Error(problems.map(p => `${p.path}: ${p.message}`).join('; '));
    if (inputs.timeoutSeconds !== undefined && inputs.timeoutSeconds * 1000 > this.timeoutMs) {
      throw new Error(`values.timeoutSeconds ${inputs.timeoutSeconds} is more than the configured limit (${this.timeoutMs / 1000})`);
    }
    const env: Record<string, string> = {};
    for (const name of PASSED_ENV) {
      const value = this.processEnv[name];
      if (value !== undefined) env[name] = value;
    }
    // Secret variables are checked above (envProblems): each is a string, number or boolean.
    const secretEnv = isObject(ctx.secrets.env) ? ctx.secrets.env : {};
    for (const [name, value] of Object.entries({ ...inputs.env, ...secretEnv })) {
      env[name] = String(value);
    }
    return { executable: resolved.path, inputs, env };
  }

  private commandProblem(command: string): string | undefined {
    const resolved = resolveExecutable(command, { processEnv: this.processEnv, cwd: this.cwd });
    return 'error' in resolved ? resolved.error : this.allow.refusal(command, resolved.path);
  }

  /** Runs one mode of the command and gives its stdout; fails with a message that holds no secret. */
  private async run(
    ctx: DriverContext,
    executable: string,
    inputs: CommandInputs,
    env: Record<string, string>,
    mode: 'provision' | 'deprovision',
    cookie: CommandCookie,
  ): Promise<string> {
    const args = (inputs.args ?? []).map(a => (a === MODE ? mode : String(a)));
    const stdin = JSON.stringify(provisionerInput(ctx, inputs, cookie));
    const timeoutMs = inputs.timeoutSeconds !== undefined ? inputs.timeoutSeconds * 1000 : this.timeoutMs;
    // Longest first: a secret that contains another is hidden whole.
    const secretValues = secretStrings(ctx.secrets).sort((a, b) => b.length - a.length);
    const redact = (text: string) => secretValues.reduce((t, s) => t.split(s).join('***'), text);
    // A folder of its own: what a provisioner leaves in its working directory goes with it.
    const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'baton-command-'));
    const what = `${executable} (${mode})`;
    ctx.logger.info(`${ctx.resource.uid}: running ${what}`);
    try {
      const result = await runProcess({
        executable, args, env, cwd: workDir, stdin, timeoutMs,
        maxOutputBytes: this.maxOutputBytes, killGraceMs: this.killGraceMs, signal: ctx.signal,
      });
      // Redacted before it is cut, so that the cut cannot leave part of a secret
      // (the kept 16 KB start far before the 2,000 characters shown).
      const stderr = tail(redact(result.stderr).trim(), STDERR_SHOWN);
      const said = stderr ? `: ${stderr}` : '';
      if (result.spawnError) throw new Error(`${what} could not start: ${result.spawnError}`);
      if (result.stopped === 'timeout') {
        throw new Error(`${what} did not finish within ${timeoutMs / 1000} s; its processes were killed${said}`);
      }
      if (result.stopped === 'output') {
        throw new Error(`${what} printed more than ${this.maxOutputBytes} bytes on stdout (the limit); its processes were killed`);
      }
      if (result.stopped === 'aborted') throw new Error(`${what} was cancelled; its processes were killed`);
      if (result.signal) throw new Error(`${what} was killed by ${result.signal}${said}`);
      if (result.code !== 0) throw new Error(`${what} exited with status ${result.code}${said}`);
      if (stderr) ctx.logger.info(`${ctx.resource.uid}: ${executable} said: ${stderr}`);
      return result.stdout;
    } finally {
      await fs.rm(workDir, { recursive: true, force: true }).catch(() => {});
    }
  }
}

function tail(text: string, length: number): string {
  return text.length > length ? `…${text.slice(text.length - length)}` : text;
}
