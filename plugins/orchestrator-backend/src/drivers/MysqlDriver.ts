import type {
  DriftCheckResult,
  Driver,
  DriverContext,
  DriverInputProblem,
  DriverResult,
} from '@baton/backstage-plugin-orchestrator-node';
import { createConnection, Connection } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { optionalNumber, optionalString } from './driverInputValues';
import { serviceName, withoutSecrets } from './serviceNames';

/** `driverInputs.values` of a definition using the `mysql` driver. */
interface MysqlInputs {
  host: string;
  port?: number;
  /** Admin login used to create databases and users (default root). */
  adminUser?: string;
  /** Database (and user) name; default derived from the resource's guresid. */
  database?: string;
}

/** What the driver remembers between runs; stored encrypted by the backend. */
interface MysqlCookie {
  database: string;
  username: string;
  password: string;
}

// MySQL limits user names to 32 characters (MariaDB to 80); the database is
// named like its user, so both stay within 32. Lowercase only, as database
// names are case sensitive on some servers and not on others.
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,31}$/;
const SECRET_KEYS = ['adminPassword'];
const CONNECT_TIMEOUT_MS = 10_000;

// Server error numbers (MySQL and MariaDB share the first three).
const ER_DBACCESS_DENIED = 1044;
const ER_ACCESS_DENIED = 1045;
const ER_BAD_DB = 1049;
const ER_ACCOUNT_LOCKED = [3118 /* MySQL */, 4151 /* MariaDB */];

/**
 * The `mysql` driver: a database and a user (`'<name>'@'%'`) with a generated
 * password and every privilege on that database only, on a real MySQL or
 * MariaDB server given by the definition. Idempotent: provisioning again
 * keeps the password it generated (from its cookie) and restores whatever
 * was dropped or changed.
 *
 * @internal
 */
export class MysqlDriver implements Driver {
  readonly id = 'mysql';
  readonly inputsSchema = {
    type: 'object',
    required: ['host'],
    properties: {
      host: { type: 'string', minLength: 1 },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      adminUser: { type: 'string', minLength: 1 },
      database: { type: 'string', pattern: IDENTIFIER.source },
    },
    additionalProperties: false,
  };

  validateInputs(_values: Record<string, unknown>, secretKeys: string[]): DriverInputProblem[] {
    return unknownSecrets(secretKeys);
  }

  async provision(ctx: DriverContext): Promise<DriverResult> {
    const inputs = readInputs(ctx);
    const previous = ctx.cookie as MysqlCookie | undefined;
    const database = inputs.database ?? previous?.database ?? serviceName(ctx.guresid, 32);
    const username = database;
    const password =
      previous && previous.username === username
        ? previous.password
        : randomBytes(18).toString('base64url');

    await withAdmin(ctx, inputs, [password], async admin => {
      if (await userExists(admin, username)) {
        // Also unlocks: a user locked by hand is drift like a changed password.
        await admin.query("ALTER USER ?@'%' IDENTIFIED BY ? ACCOUNT UNLOCK", [username, password]);
      } else {
        await admin.query("CREATE USER ?@'%' IDENTIFIED BY ?", [username, password]);
        ctx.logger.info(`created user ${username}`);
      }
      const [created] = await admin.query<any>(`CREATE DATABASE IF NOT EXISTS ${quoteId(database)}`);
      if (!created.warningStatus) ctx.logger.info(`created database ${database}`);
      await admin.query(`GRANT ALL PRIVILEGES ON ${grantTarget(database)} TO ?@'%'`, [username]);
    });

    const cookie: MysqlCookie = { database, username, password };
    return {
      outputs: {
        host: inputs.host,
        port: inputs.port ?? 3306,
        name: database,
        database,
        username,
      },
      secrets: { password },
      cookie,
    };
  }

  async check(ctx: DriverContext): Promise<DriftCheckResult> {
    const inputs = readInputs(ctx);
    const cookie = ctx.cookie as MysqlCookie | undefined;
    if (!cookie) {
      return { items: [{ kind: 'missing', detail: 'never provisioned' }] };
    }
    const items: DriftCheckResult['items'] = [];
    let hasUser = false;
    let hasDatabase = false;
    await withAdmin(ctx, inputs, [], async admin => {
      const [dbs] = await admin.query<any[]>(
        'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
        [cookie.database],
      );
      hasDatabase = dbs.length > 0;
      if (!hasDatabase) {
        items.push({ kind: 'missing', detail: `database ${cookie.database} does not exist` });
      }
      hasUser = await userExists(admin, cookie.username);
      if (!hasUser) {
        items.push({ kind: 'missing', detail: `user ${cookie.username} does not exist` });
      }
    });
    if (hasUser) {
      // The server keeps only a hash whose format depends on the plugin: logging
      // in as the user is the one check that works everywhere.
      const login = await tryLogin(ctx, inputs, cookie, hasDatabase);
      if (login === 'password') {
        items.push({ kind: 'changed', detail: `the password of user ${cookie.username} was changed` });
      } else if (login === 'locked') {
        items.push({ kind: 'changed', detail: `user ${cookie.username} is locked` });
      } else if (login === 'privileges') {
        items.push({
          kind: 'changed',
          detail: `user ${cookie.username} lost its privileges on database ${cookie.database}`,
        });
      }
    }
    return { items };
  }

  async destroy(ctx: DriverContext): Promise<void> {
    const inputs = readInputs(ctx);
    const cookie = ctx.cookie as MysqlCookie | undefined;
    if (!cookie) return;
    await withAdmin(ctx, inputs, [], async admin => {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteId(cookie.database)}`);
      await admin.query("DROP USER IF EXISTS ?@'%'", [cookie.username]);
    });
    ctx.logger.info(`dropped database and user ${cookie.database}`);
  }
}

/** The typed inputs of a run, from `ctx.inputs` as the engine checked them against `inputsSchema`. */
function readInputs(ctx: DriverContext): MysqlInputs {
  const { host, database } = ctx.inputs;
  if (typeof host !== 'string' || !host) {
    throw new Error('mysql driver: driverInputs.values.host is required');
  }
  if (database !== undefined && (typeof database !== 'string' || !IDENTIFIER.test(database))) {
    throw new Error(
      `mysql driver: driverInputs.values.database '${String(database)}' is not a lowercase SQL identifier of at most 32 characters`,
    );
  }
  const at = 'mysql driver: driverInputs.values';
  return { host, port: optionalNumber(ctx.inputs, 'port', at), adminUser: optionalString(ctx.inputs, 'adminUser', at), database };
}

function unknownSecrets(secretKeys: string[]): DriverInputProblem[] {
  return secretKeys
    .filter(key => !SECRET_KEYS.includes(key))
    .map(key => ({ path: `secrets.${key}`, message: `is not used by the mysql driver (it takes ${SECRET_KEYS.join(', ')})` }));
}

/** Names are checked against IDENTIFIER, so backquotes cannot occur. */
function quoteId(name: string): string {
  return `\`${name}\``;
}

// In a database-level GRANT, `_` and `%` are wildcards: `b_x` would also grant
// `bax`, `bbx`, …; escaped, the privileges hold for this database only.
function grantTarget(database: string): string {
  return `\`${database.replace(/[_%]/g, c => `\\${c}`)}\`.*`;
}

async function userExists(admin: Connection, username: string): Promise<boolean> {
  const [rows] = await admin.query<any[]>("SELECT 1 FROM mysql.user WHERE User = ? AND Host = '%'", [username]);
  return rows.length > 0;
}

function adminPassword(ctx: DriverContext): string | undefined {
  return typeof ctx.secrets.adminPassword === 'string' && ctx.secrets.adminPassword
    ? ctx.secrets.adminPassword
    : undefined;
}

/** Runs `fn` on a connection that a cancelled deployment closes, failing the running query. */
async function withConnection<T>(
  ctx: DriverContext,
  options: { host: string; port: number; user: string; password?: string },
  fn: (connection: Connection) => Promise<T>,
): Promise<T> {
  ctx.signal.throwIfAborted();
  const connection = await createConnection({ ...options, connectTimeout: CONNECT_TIMEOUT_MS });
  const abort = () => connection.destroy();
  ctx.signal.addEventListener('abort', abort, { once: true });
  try {
    return await fn(connection);
  } finally {
    ctx.signal.removeEventListener('abort', abort);
    await connection.end().catch(() => connection.destroy());
  }
}

async function withAdmin<T>(
  ctx: DriverContext,
  inputs: MysqlInputs,
  secrets: string[],
  fn: (admin: Connection) => Promise<T>,
): Promise<T> {
  const user = inputs.adminUser ?? 'root';
  const port = inputs.port ?? 3306;
  try {
    return await withConnection(ctx, { host: inputs.host, port, user, password: adminPassword(ctx) }, fn);
  } catch (error) {
    // Server errors may quote the statement, and with it a password.
    throw new Error(`mysql driver: ${user}@${inputs.host}:${port}: ${redact((error as Error).message, ctx, secrets)}`);
  }
}

function redact(message: string, ctx: DriverContext, extra: string[]): string {
  const cookie = ctx.cookie as MysqlCookie | undefined;
  return withoutSecrets(message, [cookie?.password, adminPassword(ctx), ...extra]).replace(
    /IDENTIFIED BY\s+'(?:[^'\\]|\\.|'')*'/gi,
    "IDENTIFIED BY '***'",
  );
}

/** Logs in as the resource's user: what stops it, if anything. */
async function tryLogin(
  ctx: DriverContext,
  inputs: MysqlInputs,
  cookie: MysqlCookie,
  hasDatabase: boolean,
): Promise<'ok' | 'password' | 'locked' | 'privileges'> {
  const port = inputs.port ?? 3306;
  try {
    await withConnection(ctx, { host: inputs.host, port, user: cookie.username, password: cookie.password }, async c => {
      if (hasDatabase) await c.query(`USE ${quoteId(cookie.database)}`);
    });
    return 'ok';
  } catch (error) {
    const errno = (error as { errno?: number }).errno;
    if (errno === ER_ACCESS_DENIED) return 'password';
    if (errno !== undefined && ER_ACCOUNT_LOCKED.includes(errno)) return 'locked';
    if (errno === ER_DBACCESS_DENIED) return 'privileges';
    // Dropped since it was looked up: already reported as missing.
    if (errno === ER_BAD_DB) return 'ok';
    throw new Error(`mysql driver: ${cookie.username}@${inputs.host}:${port}: ${redact((error as Error).message, ctx, [])}`);
  }
}
