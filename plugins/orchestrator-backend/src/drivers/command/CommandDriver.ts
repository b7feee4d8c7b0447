import type {
  Driver,
  DriverContext,
  DriverInputProblem,
  DriverManifest,
  DriverResult,
} from '@baton/backstage-plugin-orchestrator-node';
import type { Config } from '@backstage/config';
import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, promises as fs, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * `driverInputs.values` of a definition using the `command` driver: what a
 * score-k8s `cmd://` provisioner entry says (`uri` → `command`, `args`), plus
 * what Baton adds around it.
 */
interface CommandInputs {
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

type Scalar = string | number | boolean;

/** What the driver keeps between runs (the backend stores cookies encrypted). */
interface CommandCookie {
  resource_state: Record<string, unknown>;
  shared_state: Record<string, unknown>;
}

/** The document a score-k8s `cmd://` provisioner reads on stdin (score-k8s `provisioners.Input`). */
interface ProvisionerInput {
  resource_guid: string;
  resource_uid: string;
  resource_type: string;
  resource_class: string;
  resource_id: string;
  resource_params: Record<string, unknown>;
  resource_metadata: Record<string, unknown>;
  source_workload: string;
  workload_metadata: Record<string, unknown>;
  workload_services: Record<string, unknown>;
  namespace: string;
  resource_state: Record<string, unknown>;
  shared_state: Record<string, unknown>;
}

/** What it prints on stdout (score-k8s `provisioners.ProvisionOutput`); other fields are refused, as score-k8s does. */
const OUTPUT_FIELDS = ['resource_outputs', 'resource_state', 'shared_state', 'manifests'] as const;

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

/** Variables of the backend's environment a command sees; the rest (database passwords, keys) it never does. */
const PASSED_ENV = [
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR',
  'SSL_CERT_FILE', 'SSL_CERT_DIR',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// The dynamic loader's variables would run any code inside even a tightly allowed executable.
const LOADER_ENV = /^(LD_|DYLD_)/;
const MODE = '<mode>';
const STDERR_KEPT = 16 * 1024;
const STDERR_SHOWN = 2000;
/** score-k8s's secret reference: `🔐💬<secret name>_<key>💬🔐`, a key of a Kubernetes Secret. */
const SECRET_REF = /🔐💬(.*?)💬🔐/gs;
const SECRET_REF_PREFIX = '🔐💬';
const SECRET_REF_SUFFIX = '💬🔐';

/** Kinds that live outside namespaces; every other manifest goes into the app's namespace, as score-k8s puts them. */
const CLUSTER_KINDS = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'VolumeAttachment', 'CSIDriver', 'CSINode',
  'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'APIService', 'PriorityClass',
  'RuntimeClass', 'IngressClass', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'FlowSchema',
  'PriorityLevelConfiguration', 'CertificateSigningRequest', 'GatewayClass', 'ClusterIssuer',
  'VolumeSnapshotClass', 'ClusterSecretStore', 'ClusterExternalSecret',
]);

/** A glob's wildcards as regular expressions: `**` crosses folders, `*` and `?` stay within one. */
const GLOB_PARTS: Record<string, string> = { '**': '.*', '*': '[^/]*', '?': '[^/]' };

/** Absolute paths and patterns of them: `*` and `?` within one segment, `**` across segments. */
class AllowList {
  private readonly exact = new Set<string>();
  private readonly patterns: RegExp[] = [];

  constructor(entries: string[]) {
    for (const entry of entries) {
      if (!path.isAbsolute(entry)) {
        throw new Error(`orchestrator.drivers.command.allow: ${entry} is not an absolute path or pattern`);
      }
      const normalized = path.normalize(entry);
      if (!/[*?]/.test(normalized)) {
        this.exact.add(normalized);
        continue;
      }
      const source = normalized
        .split(/(\*\*|\*|\?)/)
        .map(part => GLOB_PARTS[part] ?? part.replace(/[.+^${}()|[\]\\]/g, '\\$&'))
        .join('');
      this.patterns.push(new RegExp(`^${source}$`));
    }
  }

  get empty(): boolean {
    return this.exact.size === 0 && this.patterns.length === 0;
  }

  allows(executable: string): boolean {
    return this.exact.has(executable) || this.patterns.some(p => p.test(executable));
  }
}

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
      const { outputs, secrets } = splitOutputs(output.resource_outputs ?? {}, manifests, inputs.secretOutputs ?? [], ctx.secrets);
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
    const inputs = ctx.inputs as unknown as CommandInputs;
    for (const key of Object.keys(ctx.secrets)) {
      if (key === 'env') continue;
      // A value is among the secrets when it is in driverInputs.secrets or reads a secret output.
      throw new Error(
        key === 'args'
          ? 'args are secret: arguments are visible to every user of the host (ps); pass secret values in secrets.env'
          : `${key} is secret (it is in driverInputs.secrets or reads a secret output), but only env reaches the command as a secret`,
      );
    }
    if (typeof inputs.command !== 'string' || !inputs.command) throw new Error('values.command is required');
    const resolved = this.resolve(inputs.command);
    if ('error' in resolved) throw new Error(`values.command: ${resolved.error}`);
    const refused = this.allowProblem(inputs.command, resolved.path);
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
    for (const [name, value] of Object.entries({ ...inputs.env, ...(ctx.secrets.env as Record<string, Scalar> | undefined) })) {
      env[name] = String(value);
    }
    return { executable: resolved.path, inputs, env };
  }

  private commandProblem(command: string): string | undefined {
    const resolved = this.resolve(command);
    return 'error' in resolved ? resolved.error : this.allowProblem(command, resolved.path);
  }

  private allowProblem(command: string, executable: string): string | undefined {
    if (this.allow.allows(executable)) return undefined;
    const what = command === executable ? executable : `${command} resolves to ${executable}, which`;
    return `${what} is not allowed by orchestrator.drivers.command.allow${this.allow.empty ? ' (no executable is allowed: the list is empty)' : ''}`;
  }

  /** The absolute path a command names, resolved as score-k8s resolves `cmd://` URIs. */
  private resolve(command: string): { path: string } | { error: string } {
    if (!command.startsWith('cmd:')) {
      if (path.isAbsolute(command)) return { path: path.normalize(command) };
      if (command.includes('/')) return { error: `${command} is a relative path: give an absolute path, or cmd://./… for one relative to the backend's working directory` };
      return this.lookPath(command);
    }
    const uri = parseCmdUri(command);
    if ('error' in uri) return uri;
    const parts = uri.path.split('/').filter(Boolean);
    switch (uri.host) {
      case '':
        return { path: path.normalize(`/${parts.join('/')}`) };
      case '~': {
        const home = this.processEnv.HOME ?? os.homedir();
        return { path: path.resolve(home, ...parts) };
      }
      case '.':
        return { path: path.resolve(this.cwd, ...parts) };
      case '..':
        return { path: path.resolve(path.dirname(this.cwd), ...parts) };
      default:
        if (parts.length) return { error: `${command}: direct command reference cannot contain additional path parts` };
        return this.lookPath(uri.host);
    }
  }

  private lookPath(name: string): { path: string } | { error: string } {
    for (const dir of (this.processEnv.PATH ?? '').split(path.delimiter)) {
      if (!path.isAbsolute(dir)) continue;
      const candidate = path.join(dir, name);
      try {
        if (statSync(candidate).isFile()) {
          accessSync(candidate, fsConstants.X_OK);
          return { path: candidate };
        }
      } catch {
        // not here, or not executable: go on as a shell would
      }
    }
    return { error: `${name} is not found on the backend's PATH` };
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

/** score-k8s's resource id for a Baton resId: `shared.X` → `X`, `modules.W.externals.R` → `W.R`. */
function scoreResource(resId: string): { id: string; workload: string } {
  const shared = /^shared\.(.+)$/.exec(resId);
  if (shared) return { id: shared[1], workload: '' };
  const external = /^modules\.([^.]+)\.externals\.([^.]+)$/.exec(resId);
  if (external) return { id: `${external[1]}.${external[2]}`, workload: external[1] };
  return { id: resId, workload: '' };
}

function provisionerInput(ctx: DriverContext, inputs: CommandInputs, cookie: CommandCookie): ProvisionerInput {
  const { type, class: resClass, resId, params } = ctx.resource;
  const { id, workload } = scoreResource(resId);
  return {
    resource_guid: ctx.guresid,
    resource_uid: `${type}.${resClass}#${id}`,
    resource_type: type,
    resource_class: resClass,
    resource_id: id,
    resource_params: params ?? {},
    // Baton's drivers are not given the Score resource's metadata nor the other workloads' services.
    resource_metadata: {},
    source_workload: workload,
    workload_metadata: workload ? { name: workload } : {},
    workload_services: {},
    namespace: inputs.namespace ?? `${ctx.context.app.id}-${ctx.context.env.id}`,
    resource_state: cookie.resource_state,
    shared_state: cookie.shared_state,
  };
}

function readCookie(cookie: unknown): CommandCookie {
  const c = (isObject(cookie) ? cookie : {}) as Partial<CommandCookie>;
  return {
    resource_state: isObject(c.resource_state) ? c.resource_state : {},
    shared_state: isObject(c.shared_state) ? c.shared_state : {},
  };
}

interface ProvisionerOutput {
  resource_outputs?: Record<string, unknown> | null;
  resource_state?: Record<string, unknown> | null;
  shared_state?: Record<string, unknown> | null;
  manifests?: Record<string, unknown>[] | null;
}

/**
 * Reads the command's stdout as score-k8s does: the first JSON value, an
 * object with only the known fields. Nothing of stdout is quoted in an
 * error: it may hold secrets.
 */
function parseOutput(stdout: string): ProvisionerOutput {
  const text = stdout.replace(/^\uFEFF/, '');
  if (!text.trim()) {
    throw new Error(`printed nothing on stdout; expected a JSON object with ${OUTPUT_FIELDS.join(', ')}`);
  }
  const end = firstValueEnd(text);
  let value: unknown;
  try {
    value = JSON.parse(end === undefined ? text : text.slice(0, end));
  } catch (error) {
    const at = /position (\d+)/.exec((error as Error).message);
    throw new Error(`printed invalid JSON on stdout${at ? ` (at character ${at[1]})` : ''}; expected a JSON object with ${OUTPUT_FIELDS.join(', ')}`);
  }
  if (!isObject(value)) {
    throw new Error(`printed JSON that is not an object on stdout; expected a JSON object with ${OUTPUT_FIELDS.join(', ')}`);
  }
  const unknown = Object.keys(value).filter(k => !(OUTPUT_FIELDS as readonly string[]).includes(k));
  if (unknown.length) {
    const names = unknown.slice(0, 5).map(k => `'${k.slice(0, 60)}'`).join(', ');
    throw new Error(`printed unknown field${unknown.length > 1 ? 's' : ''} ${names} on stdout (known: ${OUTPUT_FIELDS.join(', ')})`);
  }
  for (const field of ['resource_outputs', 'resource_state', 'shared_state'] as const) {
    if (value[field] !== undefined && value[field] !== null && !isObject(value[field])) {
      throw new Error(`printed ${field} that is not a JSON object`);
    }
  }
  const manifests = value.manifests;
  if (manifests !== undefined && manifests !== null && !(Array.isArray(manifests) && manifests.every(isObject))) {
    throw new Error('printed manifests that are not a list of Kubernetes objects');
  }
  return value as ProvisionerOutput;
}

/**
 * Where the first JSON value of text ends, for an object or array; Go's
 * decoder, which score-k8s uses, ignores what follows it.
 */
function firstValueEnd(text: string): number | undefined {
  let i = 0;
  while (i < text.length && /\s/.test(text[i])) i++;
  if (text[i] !== '{' && text[i] !== '[') return undefined;
  let depth = 0;
  let inString = false;
  for (; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return undefined;
}

interface NamedManifest {
  name: string;
  manifest: DriverManifest;
}

/**
 * score-k8s's list of Kubernetes objects as Baton's manifest map, by
 * identity: a later object with the same apiVersion, kind and name replaces
 * an earlier one, as score-k8s does.
 */
function toManifests(list: Record<string, unknown>[]): Map<string, NamedManifest> {
  const byIdentity = new Map<string, NamedManifest>();
  const names = new Set<string>();
  list.forEach((object, i) => {
    const { apiVersion, kind } = object;
    const name = isObject(object.metadata) ? object.metadata.name : undefined;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string' || typeof name !== 'string' || !name) {
      throw new Error(`printed manifests[${i}], which is not a Kubernetes object: it needs apiVersion, kind and metadata.name`);
    }
    const found = findSecretRef(object, `manifests[${i}]`);
    if (found) {
      throw new Error(`printed ${found} holding a score-k8s secret reference, which only resource_outputs may hold (score-k8s refuses it too)`);
    }
    const identity = `${apiVersion}/${kind}/${name}`;
    const location: DriverManifest['location'] = CLUSTER_KINDS.has(kind) ? 'cluster' : 'namespace';
    const earlier = byIdentity.get(identity);
    if (earlier) {
      earlier.manifest = { location, data: object };
      return;
    }
    let key = `${kind.toLowerCase()}-${name}`;
    for (let n = 2; names.has(key); n++) key = `${kind.toLowerCase()}-${name}-${n}`;
    names.add(key);
    byIdentity.set(identity, { name: key, manifest: { location, data: object } });
  });
  return byIdentity;
}

/**
 * Plain and secret outputs. An output holding a score-k8s secret reference
 * gets the value of that key of the Secret among the command's manifests
 * and becomes secret (Baton's workloads read secret values, not Kubernetes
 * Secrets by name); outputs named in `secretOutputs` or holding a secret
 * input value are secret too.
 */
function splitOutputs(
  resourceOutputs: Record<string, unknown>,
  manifests: Map<string, NamedManifest>,
  secretOutputs: string[],
  secretInputs: Record<string, unknown>,
): { outputs: Record<string, unknown>; secrets: Record<string, unknown> } {
  const secretData = new Map<string, Record<string, string>>();
  for (const { manifest } of manifests.values()) {
    const o = manifest.data;
    if (o.apiVersion !== 'v1' || o.kind !== 'Secret') continue;
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(isObject(o.data) ? o.data : {})) {
      if (typeof v === 'string') data[k] = Buffer.from(v, 'base64').toString('utf8');
    }
    for (const [k, v] of Object.entries(isObject(o.stringData) ? o.stringData : {})) {
      if (typeof v === 'string') data[k] = v;
    }
    secretData.set(String((o.metadata as { name: unknown }).name), data);
  }
  const inputValues = secretStrings(secretInputs);
  const outputs: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resourceOutputs)) {
    let referenced = false;
    const resolved = mapStrings(value, s => {
      if (!s.includes(SECRET_REF_PREFIX)) return s;
      return s.replace(SECRET_REF, (_, ref: string) => {
        const split = ref.indexOf('_');
        if (split < 0) throw new Error(`printed resource_outputs.${key} with an invalid secret reference: it has no _ between Secret name and key`);
        const [secret, secretKey] = [ref.slice(0, split), ref.slice(split + 1)];
        const found = secretData.get(secret)?.[secretKey];
        if (found === undefined) {
          throw new Error(
            `printed resource_outputs.${key} referring to key ${secretKey} of Secret ${secret}, which is not among its manifests: ` +
              'Baton resolves score-k8s secret references only to Secrets the provisioner returns',
          );
        }
        referenced = true;
        return found;
      });
    });
    const secret =
      referenced || secretOutputs.includes(key) || (inputValues.length > 0 && collectStrings(value).some(s => inputValues.some(v => s.includes(v))));
    if (secret) secrets[key] = resolved;
    else outputs[key] = resolved;
  }
  return { outputs, secrets };
}

/** The path of the first string holding a secret reference, as score-k8s looks for unresolved ones. */
function findSecretRef(value: unknown, at: string): string | undefined {
  if (typeof value === 'string') {
    const start = value.indexOf(SECRET_REF_PREFIX);
    return start >= 0 && value.indexOf(SECRET_REF_SUFFIX, start + SECRET_REF_PREFIX.length) >= 0 ? at : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findSecretRef(value[i], `${at}[${i}]`);
      if (found) return found;
    }
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const found = findSecretRef(v, `${at}.${k}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** JSON Merge Patch (RFC 7386), as score-k8s applies `shared_state`. */
function patchMap(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isObject(value)) out[key] = patchMap(isObject(out[key]) ? out[key] : {}, value);
    else out[key] = value;
  }
  return out;
}

function envProblems(env: unknown, at: string): DriverInputProblem[] {
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

/** Secret values long enough to be recognised (short ones would match everywhere). */
function secretStrings(secrets: Record<string, unknown>): string[] {
  return collectStrings(secrets).filter(s => s.length >= 4);
}

function collectStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number') return [String(value)];
  if (value && typeof value === 'object') return Object.values(value).flatMap(collectStrings);
  return [];
}

function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map(v => mapStrings(v, fn));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function tail(text: string, length: number): string {
  return text.length > length ? `…${text.slice(text.length - length)}` : text;
}

/**
 * A `cmd://` URI split as Go's url.Parse splits it for score-k8s: host and
 * path, the fragment (a name that keeps URIs unique) dropped; user info, a
 * port or a query are refused, as score-k8s refuses them.
 */
function parseCmdUri(uri: string): { host: string; path: string } | { error: string } {
  const m = /^cmd:\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/.exec(uri);
  if (!m) return { error: `${uri} is not a cmd:// URI (cmd://name, cmd:///absolute/path, cmd://./relative/path or cmd://~/path)` };
  const [, host, rest, query] = m;
  if (host.includes('@')) return { error: `${uri}: cmd provisioner uri cannot contain user info` };
  if (host.includes(':')) return { error: `${uri}: cmd provisioner uri cannot contain a port` };
  if (query && query.length > 1) return { error: `${uri}: cmd provisioner uri cannot contain query params` };
  return { host, path: rest };
}


interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  spawnError?: string;
  stopped?: 'timeout' | 'output' | 'aborted';
}

/**
 * Runs a process in a process group of its own, so that stopping it (time
 * limit, output limit, cancellation) and its end take every process it
 * started along: SIGTERM, then SIGKILL after a grace period.
 */
function runProcess(options: {
  executable: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  stdin: string;
  timeoutMs: number;
  maxOutputBytes: number;
  killGraceMs: number;
  signal: AbortSignal;
}): Promise<RunResult> {
  return new Promise(resolve => {
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let stopped: RunResult['stopped'];
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let done = false;
    const timers: NodeJS.Timeout[] = [];

    const child = spawn(options.executable, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });

    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // the group is gone already
      }
    };
    const stop = (why: NonNullable<RunResult['stopped']>) => {
      if (stopped || exit) return;
      stopped = why;
      killGroup('SIGTERM');
      timers.push(setTimeout(() => killGroup('SIGKILL'), why === 'timeout' ? options.killGraceMs : 0));
    };
    const onAbort = () => stop('aborted');
    const finish = (spawnError?: string) => {
      if (done) return;
      done = true;
      timers.forEach(clearTimeout);
      options.signal.removeEventListener('abort', onAbort);
      resolve({
        code: exit?.code ?? null,
        signal: exit?.signal ?? null,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr,
        spawnError,
        stopped,
      });
    };

    child.on('error', error => {
      const code = (error as NodeJS.ErrnoException).code;
      const reasons: Record<string, string> = { ENOENT: 'not found', EACCES: 'permission denied (not executable?)' };
      finish((code && reasons[code]) || error.message);
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (stopped) return;
      stdoutBytes += chunk.length;
      if (stdoutBytes > options.maxOutputBytes) stop('output');
      else stdout.push(chunk);
    });
    // Decoded as a stream, so that a character split between chunks stays whole.
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.length > STDERR_KEPT) stderr = stderr.slice(stderr.length - STDERR_KEPT);
    });
    // A command that does not read its input closes the pipe; that is not an error.
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin);

    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // What it left running in its group goes too; something that left the
      // group and holds the pipes open is not waited for.
      killGroup('SIGKILL');
      timers.push(
        setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          finish();
        }, 1000),
      );
    });
    child.on('close', () => finish());

    timers.push(setTimeout(() => stop('timeout'), options.timeoutMs));
    if (options.signal.aborted) stop('aborted');
    else options.signal.addEventListener('abort', onAbort);
  });
}
