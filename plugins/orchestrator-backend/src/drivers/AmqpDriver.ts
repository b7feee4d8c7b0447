import type {
  DriftCheckResult,
  Driver,
  DriverContext,
  DriverInputProblem,
  DriverResult,
} from '@baton/backstage-plugin-orchestrator-node';
import { randomBytes } from 'node:crypto';
import { optionalNumber, optionalString } from './driverInputValues';
import { serviceName } from './serviceNames';

/** `driverInputs.values` of a definition using the `amqp` driver. */
interface AmqpInputs {
  host: string;
  port?: number;
  /** RabbitMQ's management API; default `http://<host>:15672`. */
  managementUrl?: string;
  /** Administrator of the management API (default guest). */
  adminUser?: string;
}

/** What the driver remembers between runs; stored encrypted by the backend. */
interface AmqpCookie {
  vhost: string;
  username: string;
  password: string;
}

const SECRET_KEYS = ['adminPassword'];
const REQUEST_TIMEOUT_MS = 10_000;
/** Everything within its own vhost: configure, write and read any queue or exchange. */
const PERMISSIONS = { configure: '.*', write: '.*', read: '.*' };

/**
 * The `amqp` driver: a vhost and a user with a generated password and every
 * permission on that vhost only, on a real RabbitMQ server, through its
 * management HTTP API (the `rabbitmq_management` plugin). Idempotent:
 * provisioning again keeps the password it generated (from its cookie) and
 * restores whatever was deleted or changed.
 *
 * The admin login defaults to RabbitMQ's own `guest`/`guest`, which RabbitMQ
 * accepts from localhost only; a definition that names its `adminUser` must
 * give `secrets.adminPassword` as well.
 *
 * @internal
 */
export class AmqpDriver implements Driver {
  readonly id = 'amqp';
  readonly inputsSchema = {
    type: 'object',
    required: ['host'],
    properties: {
      host: { type: 'string', minLength: 1 },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      managementUrl: { type: 'string', pattern: '^https?://' },
      adminUser: { type: 'string', minLength: 1 },
    },
    additionalProperties: false,
  };

  validateInputs(values: Record<string, unknown>, secretKeys: string[]): DriverInputProblem[] {
    const problems: DriverInputProblem[] = secretKeys
      .filter(key => !SECRET_KEYS.includes(key))
      .map(key => ({ path: `secrets.${key}`, message: `is not used by the amqp driver (it takes ${SECRET_KEYS.join(', ')})` }));
    if (values.adminUser !== undefined && !secretKeys.includes('adminPassword')) {
      problems.push({ path: 'secrets.adminPassword', message: 'is required with values.adminUser (only the default guest has a default password)' });
    }
    const url = values.managementUrl;
    if (typeof url === 'string' && !url.includes('${')) {
      const problem = managementUrlProblem(url);
      if (problem) problems.push({ path: 'values.managementUrl', message: problem });
    }
    return problems;
  }

  async provision(ctx: DriverContext): Promise<DriverResult> {
    const api = managementApi(ctx);
    const previous = ctx.cookie as AmqpCookie | undefined;
    const name = previous?.username ?? serviceName(ctx.guresid);
    const vhost = previous?.vhost ?? name;
    const password = previous?.password ?? randomBytes(18).toString('base64url');
    api.secrets.push(password);

    if ((await api.request('PUT', `/api/vhosts/${enc(vhost)}`, { description: `Baton: ${ctx.resource.uid} of ${ctx.context?.app.id} in ${ctx.context?.env.id}` })) === 201) {
      ctx.logger.info(`created vhost ${vhost}`);
    }
    // No tags: the user is for applications, not for the management UI.
    if ((await api.request('PUT', `/api/users/${enc(name)}`, { password, tags: '' })) === 201) {
      ctx.logger.info(`created user ${name}`);
    }
    await api.request('PUT', `/api/permissions/${enc(vhost)}/${enc(name)}`, PERMISSIONS);
    // The user is this resource's alone: permissions elsewhere were granted by hand.
    const permissions = (await api.get<{ vhost: string }[]>(`/api/users/${enc(name)}/permissions`)) ?? [];
    for (const other of permissions.filter(p => p.vhost !== vhost)) {
      await api.request('DELETE', `/api/permissions/${enc(other.vhost)}/${enc(name)}`);
      ctx.logger.info(`removed the permissions of user ${name} on vhost ${other.vhost}`);
    }

    const cookie: AmqpCookie = { vhost, username: name, password };
    return {
      outputs: { host: api.inputs.host, port: api.inputs.port ?? 5672, vhost, username: name },
      secrets: { password },
      cookie,
    };
  }

  async check(ctx: DriverContext): Promise<DriftCheckResult> {
    const api = managementApi(ctx);
    const cookie = ctx.cookie as AmqpCookie | undefined;
    if (!cookie) {
      return { items: [{ kind: 'missing', detail: 'never provisioned' }] };
    }
    const { vhost, username } = cookie;
    const items: DriftCheckResult['items'] = [];
    const hasVhost = (await api.get(`/api/vhosts/${enc(vhost)}`)) !== undefined;
    if (!hasVhost) {
      items.push({ kind: 'missing', detail: `vhost ${vhost} does not exist` });
    }
    const user = await api.get<{ tags: string[] | string }>(`/api/users/${enc(username)}`);
    if (!user) {
      items.push({ kind: 'missing', detail: `user ${username} does not exist` });
      return { items };
    }
    // RabbitMQ before 3.9 reports tags as one comma-separated string.
    const tags = (Array.isArray(user.tags) ? user.tags : user.tags.split(',')).filter(Boolean);
    if (tags.length) {
      items.push({ kind: 'changed', detail: `user ${username} was given the tags ${tags.join(', ')}` });
    }
    const permissions =
      (await api.get<{ vhost: string; configure: string; write: string; read: string }[]>(
        `/api/users/${enc(username)}/permissions`,
      )) ?? [];
    const own = permissions.find(p => p.vhost === vhost);
    // A deleted vhost took its permissions with it: reported once, as the vhost.
    if (!own && hasVhost) {
      items.push({ kind: 'missing', detail: `user ${username} has no permissions on vhost ${vhost}` });
    } else if (own && (own.configure !== PERMISSIONS.configure || own.write !== PERMISSIONS.write || own.read !== PERMISSIONS.read)) {
      items.push({
        kind: 'changed',
        detail: `the permissions of user ${username} on vhost ${vhost} were changed to configure '${own.configure}', write '${own.write}', read '${own.read}'`,
      });
    }
    for (const other of permissions.filter(p => p.vhost !== vhost)) {
      items.push({ kind: 'changed', detail: `user ${username} was given permissions on vhost ${other.vhost}` });
    }
    if (!(await api.authenticates(username, cookie.password))) {
      items.push({ kind: 'changed', detail: `the password of user ${username} was changed` });
    }
    return { items };
  }

  async destroy(ctx: DriverContext): Promise<void> {
    const api = managementApi(ctx);
    const cookie = ctx.cookie as AmqpCookie | undefined;
    if (!cookie) return;
    // Deleting the vhost deletes its queues, exchanges and permissions too.
    await api.request('DELETE', `/api/vhosts/${enc(cookie.vhost)}`);
    await api.request('DELETE', `/api/users/${enc(cookie.username)}`);
    ctx.logger.info(`deleted vhost ${cookie.vhost} and user ${cookie.username}`);
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function managementUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `'${url}' is not a URL`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be an http or https URL';
  // The admin password belongs in secrets, not in a value shown to everyone.
  if (parsed.username || parsed.password) return 'must not hold credentials: give them as values.adminUser and secrets.adminPassword';
  return undefined;
}

function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The typed inputs of a run, from `ctx.inputs` as the engine checked them against `inputsSchema`. */
function readInputs(ctx: DriverContext): AmqpInputs {
  const { host } = ctx.inputs;
  if (typeof host !== 'string' || !host) {
    throw new Error('amqp driver: driverInputs.values.host is required');
  }
  const at = 'amqp driver: driverInputs.values';
  return {
    host,
    port: optionalNumber(ctx.inputs, 'port', at),
    managementUrl: optionalString(ctx.inputs, 'managementUrl', at),
    adminUser: optionalString(ctx.inputs, 'adminUser', at),
  };
}

/** The management API as the admin, every failure a `amqp driver:` error naming the URL. */
function managementApi(ctx: DriverContext) {
  const inputs = readInputs(ctx);
  const base = (inputs.managementUrl ?? `http://${formatHost(inputs.host)}:15672`).replace(/\/+$/, '');
  const problem = managementUrlProblem(base);
  if (problem) throw new Error(`amqp driver: driverInputs.values.managementUrl ${problem}`);
  const adminUser = inputs.adminUser ?? 'guest';
  const given = ctx.secrets.adminPassword;
  if (given !== undefined && typeof given !== 'string') {
    throw new Error('amqp driver: driverInputs.secrets.adminPassword must be a string');
  }
  if (given === undefined && inputs.adminUser !== undefined) {
    throw new Error(`amqp driver: driverInputs.secrets.adminPassword is required with adminUser ${adminUser}`);
  }
  const adminPassword = given ?? 'guest';
  const cookie = ctx.cookie as AmqpCookie | undefined;
  const secrets = [adminPassword, ...(cookie ? [cookie.password] : [])];

  const redact = (message: string) => secrets.reduce((m, s) => (s ? m.split(s).join('***') : m), message);
  const basic = (user: string, password: string) =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  async function send(method: string, path: string, auth: string, body?: unknown): Promise<Response> {
    ctx.signal.throwIfAborted();
    try {
      return await fetch(`${base}${path}`, {
        method,
        headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
        redirect: 'error',
      });
    } catch (error) {
      const e = error as Error & { cause?: Error };
      let reason = e.cause?.message ?? e.message;
      if (e.name === 'TimeoutError') reason = `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
      // fetch never connects to ports like 1, 25 or 6000, which browsers block.
      else if (reason === 'bad port') reason = `fetch refuses to connect to port ${new URL(base).port}`;
      throw new Error(`amqp driver: cannot reach RabbitMQ's management API at ${base}: ${redact(reason)}`);
    }
  }

  async function failure(method: string, path: string, response: Response): Promise<Error> {
    const text = await response.text().catch(() => '');
    let reason = text.slice(0, 300);
    try {
      const parsed = JSON.parse(text);
      reason = [parsed.error, parsed.reason].filter(Boolean).join(': ') || reason;
    } catch {
      // Not JSON (a proxy's page): the start of the text will do.
    }
    if (response.status === 401) {
      return new Error(`amqp driver: RabbitMQ's management API at ${base} refused admin user ${adminUser} (401 ${redact(reason)})`);
    }
    return new Error(`amqp driver: ${method} ${base}${path}: ${response.status} ${redact(reason)}`);
  }

  return {
    inputs,
    /** Passwords this run may send, kept out of every message. */
    secrets,
    /** A request as the admin; 404 counts as done for DELETE. Returns the status. */
    async request(method: 'PUT' | 'DELETE', path: string, body?: unknown): Promise<number> {
      const response = await send(method, path, basic(adminUser, adminPassword), body);
      if (response.ok || (method === 'DELETE' && response.status === 404)) {
        await response.body?.cancel();
        return response.status;
      }
      throw await failure(method, path, response);
    },
    /** A resource as the admin, or undefined when it does not exist. */
    async get<T = unknown>(path: string): Promise<T | undefined> {
      const response = await send('GET', path, basic(adminUser, adminPassword));
      if (response.status === 404) {
        await response.body?.cancel();
        return undefined;
      }
      if (!response.ok) throw await failure('GET', path, response);
      return (await response.json()) as T;
    },
    /** Whether RabbitMQ accepts the user's password. */
    async authenticates(username: string, password: string): Promise<boolean> {
      const response = await send('GET', '/api/whoami', basic(username, password));
      const text = await response.text().catch(() => '');
      if (response.ok) return true;
      // A user without management tags may not use the API, but RabbitMQ
      // checks the password first: "Not management user" means it was right.
      if (response.status === 401) return /not management user/i.test(text);
      throw new Error(`amqp driver: GET ${base}/api/whoami: ${response.status} ${redact(text.slice(0, 300))}`);
    },
  };
}
