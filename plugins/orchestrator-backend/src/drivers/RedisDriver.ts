import type {
  DriftCheckResult,
  Driver,
  DriverContext,
  DriverInputProblem,
  DriverResult,
} from '@baton/backstage-plugin-orchestrator-node';
import { Redis } from 'ioredis';
import { createHash, randomBytes } from 'node:crypto';
import { optionalNumber, optionalString } from './driverInputValues';
import { serviceName, withoutSecrets } from './serviceNames';

/** `driverInputs.values` of a definition using the `redis` driver. */
interface RedisInputs {
  host: string;
  port?: number;
  /** ACL user that creates users (default: the connection's default user). */
  adminUser?: string;
}

/** What the driver remembers between runs; stored encrypted by the backend. */
interface RedisCookie {
  username: string;
  prefix: string;
  password: string;
  /** The user's command rules as the server reported them after provisioning. */
  commands: string;
  /** The rules the driver set then (COMMAND_RULES), so that new ones are applied. */
  rules: string;
}

const SECRET_KEYS = ['adminPassword'];
const CONNECT_TIMEOUT_MS = 10_000;
const SCAN_BATCH = 500;

/**
 * The user may run every command but the administrative and dangerous ones
 * (FLUSHALL, KEYS, CONFIG, ACL, …), and not SCAN or RANDOMKEY either: key
 * patterns do not apply to them, so they would list other resources' keys.
 */
const COMMAND_RULES = ['+@all', '-@admin', '-@dangerous', '-scan', '-randomkey'];

/**
 * The `redis` driver: an ACL user with a generated password on a real Redis
 * server (6.2 or later, not a cluster), limited to the keys and Pub/Sub
 * channels under a prefix of its own. Idempotent: provisioning again keeps
 * the password it generated (from its cookie) and changes the user only when
 * it differs from what it should be.
 *
 * @internal
 */
export class RedisDriver implements Driver {
  readonly id = 'redis';
  readonly inputsSchema = {
    type: 'object',
    required: ['host'],
    properties: {
      host: { type: 'string', minLength: 1 },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      adminUser: { type: 'string', minLength: 1, pattern: '^\\S+$' },
    },
    additionalProperties: false,
  };

  validateInputs(_values: Record<string, unknown>, secretKeys: string[]): DriverInputProblem[] {
    return secretKeys
      .filter(key => !SECRET_KEYS.includes(key))
      .map(key => ({ path: `secrets.${key}`, message: `is not used by the redis driver (it takes ${SECRET_KEYS.join(', ')})` }));
  }

  async provision(ctx: DriverContext): Promise<DriverResult> {
    const inputs = readInputs(ctx);
    const previous = ctx.cookie as RedisCookie | undefined;
    const username = previous?.username ?? serviceName(ctx.guresid);
    const prefix = `${username}:`;
    const password = previous?.password ?? randomBytes(18).toString('base64url');
    const rules = COMMAND_RULES.join(' ');

    const commands = await withAdmin(ctx, inputs, [password], async admin => {
      const before = await getUser(admin, username);
      // Rewriting an unchanged user would be harmless, but skipping it keeps
      // provisioning a read-only operation when nothing drifted.
      if (before && previous?.rules === rules && !driftOf(before, { ...previous, prefix, password }).length) {
        return before.commands;
      }
      await admin.call('ACL', [
        'SETUSER',
        username,
        // `reset` leaves channels open when acl-pubsub-default is allchannels.
        'reset',
        'resetchannels',
        'on',
        `>${password}`,
        `~${prefix}*`,
        `&${prefix}*`,
        ...COMMAND_RULES,
      ]);
      await saveAcl(admin, ctx);
      ctx.logger.info(`${before ? 'updated' : 'created'} user ${username}`);
      return (await getUser(admin, username))!.commands;
    });

    const cookie: RedisCookie = { username, prefix, password, commands, rules };
    return {
      outputs: { host: inputs.host, port: inputs.port ?? 6379, username, prefix },
      secrets: { password },
      cookie,
    };
  }

  async check(ctx: DriverContext): Promise<DriftCheckResult> {
    const inputs = readInputs(ctx);
    const cookie = ctx.cookie as RedisCookie | undefined;
    if (!cookie) {
      return { items: [{ kind: 'missing', detail: 'never provisioned' }] };
    }
    const user = await withAdmin(ctx, inputs, [], admin => getUser(admin, cookie.username));
    if (!user) return { items: [{ kind: 'missing', detail: `user ${cookie.username} does not exist` }] };
    return { items: driftOf(user, cookie) };
  }

  async destroy(ctx: DriverContext): Promise<void> {
    const inputs = readInputs(ctx);
    const cookie = ctx.cookie as RedisCookie | undefined;
    if (!cookie) return;
    let deleted = 0;
    await withAdmin(ctx, inputs, [], async admin => {
      // The user goes first, so that it cannot write keys behind the scan.
      await admin.call('ACL', ['DELUSER', cookie.username]);
      await saveAcl(admin, ctx);
      let cursor = '0';
      do {
        ctx.signal.throwIfAborted();
        const [next, keys] = (await admin.call('SCAN', [
          cursor,
          'MATCH',
          `${cookie.prefix}*`,
          'COUNT',
          SCAN_BATCH,
        ])) as [string, string[]];
        if (keys.length) deleted += Number(await admin.call('UNLINK', keys));
        cursor = next;
      } while (cursor !== '0');
    });
    ctx.logger.info(`deleted user ${cookie.username} and ${deleted} keys under ${cookie.prefix}`);
  }
}

/** The typed inputs of a run, from `ctx.inputs` as the engine checked them against `inputsSchema`. */
function readInputs(ctx: DriverContext): RedisInputs {
  const { host } = ctx.inputs;
  if (typeof host !== 'string' || !host) {
    throw new Error('redis driver: driverInputs.values.host is required');
  }
  const at = 'redis driver: driverInputs.values';
  return { host, port: optionalNumber(ctx.inputs, 'port', at), adminUser: optionalString(ctx.inputs, 'adminUser', at) };
}

interface AclUser {
  flags: string[];
  passwords: string[];
  commands: string;
  keys: string[];
  channels: string[];
  selectors: unknown[];
}

async function getUser(admin: Redis, username: string): Promise<AclUser | undefined> {
  const reply = (await admin.call('ACL', ['GETUSER', username])) as unknown[] | null;
  if (!reply) return undefined;
  const fields = new Map<string, unknown>();
  for (let i = 0; i + 1 < reply.length; i += 2) fields.set(String(reply[i]), reply[i + 1]);
  return {
    flags: (fields.get('flags') as string[]) ?? [],
    passwords: (fields.get('passwords') as string[]) ?? [],
    commands: String(fields.get('commands') ?? ''),
    keys: patterns(fields.get('keys'), '~'),
    channels: patterns(fields.get('channels'), '&'),
    selectors: (fields.get('selectors') as unknown[]) ?? [],
  };
}

// Redis 7 reports patterns as one string ("~a* ~b*"), Redis 6.2 as a list
// without the leading sigil.
function patterns(value: unknown, sigil: string): string[] {
  if (Array.isArray(value)) return value.map(p => (String(p).startsWith(sigil) ? String(p) : `${sigil}${p}`));
  return String(value ?? '').split(' ').filter(Boolean);
}

function driftOf(user: AclUser, cookie: RedisCookie): DriftCheckResult['items'] {
  const items: DriftCheckResult['items'] = [];
  const name = cookie.username;
  if (!user.flags.includes('on')) items.push({ kind: 'changed', detail: `user ${name} is disabled` });
  const hash = createHash('sha256').update(cookie.password).digest('hex');
  if (user.flags.includes('nopass') || user.passwords.length !== 1 || user.passwords[0] !== hash) {
    items.push({ kind: 'changed', detail: `the password of user ${name} was changed` });
  }
  const keys = [`~${cookie.prefix}*`];
  if (user.keys.join(' ') !== keys.join(' ') || user.flags.includes('allkeys')) {
    items.push({ kind: 'changed', detail: `the key patterns of user ${name} were changed to '${user.keys.join(' ')}' (expected '${keys.join(' ')}')` });
  }
  const channels = [`&${cookie.prefix}*`];
  if (user.channels.join(' ') !== channels.join(' ') || user.flags.includes('allchannels')) {
    items.push({ kind: 'changed', detail: `the channel patterns of user ${name} were changed to '${user.channels.join(' ')}' (expected '${channels.join(' ')}')` });
  }
  if (user.selectors.length) {
    items.push({ kind: 'changed', detail: `user ${name} was given ${user.selectors.length} more selector(s) of keys and commands` });
  }
  if (user.commands !== cookie.commands) {
    items.push({ kind: 'changed', detail: `the commands of user ${name} were changed to '${user.commands}' (expected '${cookie.commands}')` });
  }
  return items;
}

/** Writes the users to the ACL file when the server has one; without, they last until it restarts. */
async function saveAcl(admin: Redis, ctx: DriverContext): Promise<void> {
  try {
    await admin.call('ACL', ['SAVE']);
  } catch (error) {
    if (!/not configured to use an ACL file/i.test((error as Error).message)) throw error;
    ctx.logger.debug('the Redis server has no ACL file: its users last until it restarts (check then reports them missing)');
  }
}

function adminPassword(ctx: DriverContext): string | undefined {
  return typeof ctx.secrets.adminPassword === 'string' && ctx.secrets.adminPassword
    ? ctx.secrets.adminPassword
    : undefined;
}

async function withAdmin<T>(
  ctx: DriverContext,
  inputs: RedisInputs,
  secrets: string[],
  fn: (admin: Redis) => Promise<T>,
): Promise<T> {
  const port = inputs.port ?? 6379;
  const where = `${inputs.adminUser ?? 'default'}@${inputs.host}:${port}`;
  ctx.signal.throwIfAborted();
  const admin = new Redis({
    host: inputs.host,
    port,
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // One attempt: a driver run reports a failure rather than waiting for the server.
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    // The ready check runs INFO, which an admin limited to ACL commands may not.
    enableReadyCheck: false,
  });
  const password = adminPassword(ctx);
  // ioredis reports why a connection failed only as an event; connect() just says it closed.
  let lastError: Error | undefined;
  admin.on('error', (error: Error) => {
    lastError = error;
  });
  const abort = () => admin.disconnect();
  ctx.signal.addEventListener('abort', abort, { once: true });
  try {
    await admin.connect().catch(error => {
      throw lastError ?? error;
    });
    // Authenticating here rather than through ioredis's options makes refused
    // credentials this call's error instead of an event after connecting.
    if (inputs.adminUser || password) {
      await admin.call('AUTH', [inputs.adminUser ?? 'default', password ?? '']);
    }
    return await fn(admin);
  } catch (error) {
    throw new Error(`redis driver: ${where}: ${redact((error as Error).message, ctx, secrets)}`);
  } finally {
    ctx.signal.removeEventListener('abort', abort);
    admin.disconnect();
  }
}

function redact(message: string, ctx: DriverContext, extra: string[]): string {
  const cookie = ctx.cookie as RedisCookie | undefined;
  // ACL rules set a password as `>password`.
  return withoutSecrets(message, [cookie?.password, adminPassword(ctx), ...extra]).replace(/(^|\s)>\S+/g, '$1>***');
}
