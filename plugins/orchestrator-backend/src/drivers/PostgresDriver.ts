import type {
  DriftCheckResult,
  Driver,
  DriverContext,
  DriverResult,
} from '@baton/backstage-plugin-orchestrator-node';
import { knex, Knex } from 'knex';
import {
  createHash,
  createHmac,
  pbkdf2Sync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { optionalNumber, optionalString } from './driverInputValues';
import { serviceName, withoutSecrets } from './serviceNames';

/** `driverInputs` of a definition using the `postgres` driver. */
interface PostgresInputs {
  host: string;
  port?: number;
  /** Admin login used to create databases and roles (default postgres). */
  adminUser?: string;
  /** Database (and role) name; default derived from the resource's guresid. */
  database?: string;
}

/** What the driver remembers between runs; stored encrypted by the backend. */
interface PostgresCookie {
  database: string;
  username: string;
  password: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The `postgres` driver: a database and a login role with a generated
 * password on a real PostgreSQL server. Idempotent: provisioning again keeps
 * the password it generated (from its cookie) unless the role lost it.
 *
 * @internal
 */
export class PostgresDriver implements Driver {
  readonly id = 'postgres';
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

  async provision(ctx: DriverContext): Promise<DriverResult> {
    const inputs = readInputs(ctx);
    const previous = ctx.cookie as PostgresCookie | undefined;
    const database = inputs.database ?? previous?.database ?? serviceName(ctx.guresid, 63);
    const username = database;
    const password =
      previous && previous.username === username
        ? previous.password
        : randomBytes(18).toString('base64url');

    await withAdmin(ctx, inputs, async admin => {
      const role = await admin.raw('SELECT 1 FROM pg_roles WHERE rolname = ?', [username]);
      if (role.rows.length) {
        await admin.raw(`ALTER ROLE ?? WITH LOGIN PASSWORD '${quoteLiteral(password)}'`, [username]);
      } else {
        await admin.raw(`CREATE ROLE ?? WITH LOGIN PASSWORD '${quoteLiteral(password)}'`, [username]);
        ctx.logger.info(`created role ${username}`);
      }
      const db = await admin.raw('SELECT 1 FROM pg_database WHERE datname = ?', [database]);
      if (!db.rows.length) {
        await admin.raw('CREATE DATABASE ?? OWNER ??', [database, username]);
        ctx.logger.info(`created database ${database}`);
      }
    });

    const cookie: PostgresCookie = { database, username, password };
    return {
      outputs: {
        host: inputs.host,
        port: inputs.port ?? 5432,
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
    const cookie = ctx.cookie as PostgresCookie | undefined;
    if (!cookie) {
      return { items: [{ kind: 'missing', detail: 'never provisioned' }] };
    }
    const items: DriftCheckResult['items'] = [];
    let passwordMatches: boolean | undefined;
    await withAdmin(ctx, inputs, async admin => {
      const db = await admin.raw('SELECT 1 FROM pg_database WHERE datname = ?', [cookie.database]);
      if (!db.rows.length) {
        items.push({ kind: 'missing', detail: `database ${cookie.database} does not exist` });
      }
      const role = await admin.raw('SELECT 1 FROM pg_roles WHERE rolname = ?', [cookie.username]);
      if (!role.rows.length) {
        items.push({ kind: 'missing', detail: `role ${cookie.username} does not exist` });
        return;
      }
      // Reading the stored verifier needs a superuser; otherwise try to log in.
      const stored = await admin
        .raw('SELECT rolpassword FROM pg_authid WHERE rolname = ?', [cookie.username])
        .catch(() => undefined);
      if (stored) {
        passwordMatches = verifyPassword(stored.rows[0]?.rolpassword, cookie);
      }
    });
    passwordMatches ??= items.length ? true : await canLogin(inputs, cookie);
    if (!passwordMatches) {
      items.push({ kind: 'changed', detail: `the password of role ${cookie.username} was changed` });
    }
    return { items };
  }

  async destroy(ctx: DriverContext): Promise<void> {
    const inputs = readInputs(ctx);
    const cookie = ctx.cookie as PostgresCookie | undefined;
    if (!cookie) return;
    await withAdmin(ctx, inputs, async admin => {
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [cookie.database]);
      await admin.raw('DROP ROLE IF EXISTS ??', [cookie.username]);
    });
    ctx.logger.info(`dropped database and role ${cookie.database}`);
  }
}

/** The typed inputs of a run, from `ctx.inputs` as the engine checked them against `inputsSchema`. */
function readInputs(ctx: DriverContext): PostgresInputs {
  const { host, database } = ctx.inputs;
  if (typeof host !== 'string' || !host) {
    throw new Error('postgres driver: driverInputs.values.host is required');
  }
  if (database !== undefined && (typeof database !== 'string' || !IDENTIFIER.test(database))) {
    throw new Error(
      `postgres driver: driverInputs.values.database '${String(database)}' is not a lowercase SQL identifier`,
    );
  }
  const at = 'postgres driver: driverInputs.values';
  return { host, port: optionalNumber(ctx.inputs, 'port', at), adminUser: optionalString(ctx.inputs, 'adminUser', at), database };
}

// Role passwords cannot be bound parameters in DDL; the generated ones are
// base64url, and quoting keeps user-supplied ones safe as well.
function quoteLiteral(value: string): string {
  return value.replace(/'/g, "''");
}

async function withAdmin<T>(
  ctx: DriverContext,
  inputs: PostgresInputs,
  fn: (admin: Knex) => Promise<T>,
): Promise<T> {
  const admin = knex({
    client: 'pg',
    connection: {
      host: inputs.host,
      port: inputs.port ?? 5432,
      user: inputs.adminUser ?? 'postgres',
      password: typeof ctx.secrets.adminPassword === 'string' ? ctx.secrets.adminPassword : undefined,
      database: 'postgres',
    },
    pool: { min: 0, max: 1 },
  });
  try {
    return await fn(admin);
  } catch (error) {
    // pg errors may quote statements; never pass a password on.
    throw new Error(`postgres driver: ${redact((error as Error).message, ctx)}`);
  } finally {
    await admin.destroy();
  }
}

function redact(message: string, ctx: DriverContext): string {
  const cookie = ctx.cookie as PostgresCookie | undefined;
  return withoutSecrets(message, [cookie?.password, ctx.secrets.adminPassword]).replace(/PASSWORD '[^']*'/gi, "PASSWORD '***'");
}

/** Checks a password against PostgreSQL's stored SCRAM-SHA-256 or md5 verifier. */
function verifyPassword(stored: string | null | undefined, cookie: PostgresCookie): boolean {
  if (!stored) return false;
  const scram = stored.match(/^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/);
  if (scram) {
    const [, iterations, salt, storedKey] = scram;
    const salted = pbkdf2Sync(cookie.password, Buffer.from(salt, 'base64'), Number(iterations), 32, 'sha256');
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    const expected = createHash('sha256').update(clientKey).digest();
    const actual = Buffer.from(storedKey, 'base64');
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
  if (stored.startsWith('md5')) {
    return stored === `md5${createHash('md5').update(cookie.password + cookie.username).digest('hex')}`;
  }
  return false;
}

async function canLogin(inputs: PostgresInputs, cookie: PostgresCookie): Promise<boolean> {
  const client = knex({
    client: 'pg',
    connection: {
      host: inputs.host,
      port: inputs.port ?? 5432,
      user: cookie.username,
      password: cookie.password,
      database: cookie.database,
    },
    pool: { min: 0, max: 1 },
  });
  try {
    await client.raw('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.destroy();
  }
}
