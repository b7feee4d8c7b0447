import { createConnection, Connection } from 'mysql2/promise';
import { randomUUID } from 'node:crypto';
import type { DriverContext } from '@baton/backstage-plugin-orchestrator-node';
import { MysqlDriver } from './MysqlDriver';

// A real MySQL or MariaDB server: BATON_TEST_MYSQL_URL (default
// mysql://root@127.0.0.1:3306, an admin login); `none` skips these tests.
const url = process.env.BATON_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
jest.setTimeout(30_000);

// Jest still runs a skipped describe's body, so the URL is read only when there is a server.
(url === 'none' ? describe.skip : describe)('MysqlDriver', () => {
  const server = new URL(url === 'none' ? 'mysql://unused' : url);
  const host = server.hostname;
  const port = Number(server.port || 3306);
  const adminUser = decodeURIComponent(server.username) || 'root';
  const adminSecret = decodeURIComponent(server.password);
  const driver = new MysqlDriver();
  const logged: string[] = [];
  /** Every name a test provisioned, dropped again in afterAll should a test fail half-way. */
  const created = new Set<string>();
  let admin: Connection;

  function context(overrides: Partial<DriverContext> = {}): DriverContext {
    const guresid = randomUUID().replace(/-/g, '').slice(0, 24);
    return {
      guresid,
      resource: { uid: 'mysql.default#x', type: 'mysql', class: 'default', resId: 'x', params: {} },
      context: { app: { id: 'shop' }, env: { id: 'dev', type: 'development' } },
      inputs: { host, port, adminUser },
      secrets: adminSecret ? { adminPassword: adminSecret } : {},
      signal: new AbortController().signal,
      logger: {
        info: m => logged.push(m),
        warn: m => logged.push(m),
        error: m => logged.push(m),
        debug: m => logged.push(m),
      },
      ...overrides,
    };
  }

  async function provision(ctx: DriverContext) {
    const result = await driver.provision(ctx);
    created.add(result.outputs.database as string);
    return result;
  }

  async function exists(name: string): Promise<{ database: boolean; user: boolean }> {
    const [dbs] = await admin.query<any[]>('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
    const [users] = await admin.query<any[]>("SELECT 1 FROM mysql.user WHERE User = ? AND Host = '%'", [name]);
    return { database: dbs.length > 0, user: users.length > 0 };
  }

  /** Errors of statements run as the resource's user (undefined: it ran). */
  async function asUser(name: string, password: string, statements: string[]): Promise<(string | undefined)[]> {
    const user = await createConnection({ host, port, user: name, password });
    try {
      const results: (string | undefined)[] = [];
      for (const sql of statements) {
        results.push(await user.query(sql).then(() => undefined, (e: Error & { code?: string }) => e.code));
      }
      return results;
    } finally {
      await user.end();
    }
  }

  beforeAll(async () => {
    admin = await createConnection({ host, port, user: adminUser, password: adminSecret || undefined });
  });

  afterAll(async () => {
    for (const name of created) {
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.query("DROP USER IF EXISTS ?@'%'", [name]);
    }
    await admin?.end();
  });

  it('creates a database and a user with privileges on it alone, idempotently, and drops them on destroy', async () => {
    const ctx = context();
    const first = await provision(ctx);
    const name = first.outputs.database as string;
    expect(name).toBe(`b_${ctx.guresid}`);
    expect(first.outputs).toEqual({ host, port, name, database: name, username: name });
    const password = first.secrets.password as string;
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect(await exists(name)).toEqual({ database: true, user: true });

    // The user works in its database and nowhere else, not even in a database
    // whose name its own would match as a GRANT wildcard (`_` matches `x`).
    const lookalike = name.replace('_', 'x');
    await admin.query(`CREATE DATABASE \`${lookalike}\``);
    try {
      expect(
        await asUser(name, password, [
          `CREATE TABLE \`${name}\`.t (id INT)`,
          `INSERT INTO \`${name}\`.t VALUES (1)`,
          `CREATE TABLE \`${lookalike}\`.t (id INT)`,
          'SELECT * FROM mysql.user',
          'CREATE DATABASE b_not_mine',
        ]),
      ).toEqual([undefined, undefined, 'ER_TABLEACCESS_DENIED_ERROR', 'ER_TABLEACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR']);
    } finally {
      await admin.query(`DROP DATABASE \`${lookalike}\``);
    }

    // Again with the cookie: same names, same password, nothing new, data kept.
    const second = await provision({ ...ctx, cookie: first.cookie });
    expect(second.outputs).toEqual(first.outputs);
    expect(second.secrets.password).toBe(password);
    expect(second.cookie).toEqual(first.cookie);
    expect(await driver.check({ ...ctx, cookie: first.cookie })).toEqual({ items: [] });
    const [rows] = await admin.query<any[]>(`SELECT id FROM \`${name}\`.t`);
    expect(rows).toEqual([{ id: 1 }]);

    await driver.destroy({ ...ctx, cookie: first.cookie });
    expect(await exists(name)).toEqual({ database: false, user: false });
    // Destroying what is gone already is no error.
    await driver.destroy({ ...ctx, cookie: first.cookie });
    expect(logged.join('\n')).not.toContain(password);
  });

  it('finds a changed password, a locked user, lost privileges, a dropped database and user, and repairs each', async () => {
    const ctx = context();
    const result = await provision(ctx);
    const name = result.outputs.database as string;
    const withCookie = { ...ctx, cookie: result.cookie };
    const repaired = async () => {
      await driver.provision(withCookie);
      expect(await driver.check(withCookie)).toEqual({ items: [] });
    };

    await admin.query("ALTER USER ?@'%' IDENTIFIED BY 'changed-by-hand'", [name]);
    expect(await driver.check(withCookie)).toEqual({
      items: [{ kind: 'changed', detail: `the password of user ${name} was changed` }],
    });
    await repaired();
    expect(await asUser(name, result.secrets.password as string, ['SELECT 1'])).toEqual([undefined]);

    await admin.query("ALTER USER ?@'%' ACCOUNT LOCK", [name]);
    expect(await driver.check(withCookie)).toEqual({ items: [{ kind: 'changed', detail: `user ${name} is locked` }] });
    await repaired();

    await admin.query(`REVOKE ALL PRIVILEGES ON \`${name.replace('_', '\\_')}\`.* FROM ?@'%'`, [name]);
    expect(await driver.check(withCookie)).toEqual({
      items: [{ kind: 'changed', detail: `user ${name} lost its privileges on database ${name}` }],
    });
    await repaired();

    await admin.query(`DROP DATABASE \`${name}\``);
    await admin.query("DROP USER ?@'%'", [name]);
    expect(await driver.check(withCookie)).toEqual({
      items: [
        { kind: 'missing', detail: `database ${name} does not exist` },
        { kind: 'missing', detail: `user ${name} does not exist` },
      ],
    });
    await repaired();
    expect(await asUser(name, result.secrets.password as string, [`CREATE TABLE \`${name}\`.t (id INT)`])).toEqual([undefined]);

    await driver.destroy(withCookie);
    expect(await exists(name)).toEqual({ database: false, user: false });
    expect(await driver.check(withCookie)).toEqual({
      items: [
        { kind: 'missing', detail: `database ${name} does not exist` },
        { kind: 'missing', detail: `user ${name} does not exist` },
      ],
    });
  });

  it('reports an unreachable server and refused admin credentials, naming the server and no password', async () => {
    const unreachable = await driver.provision(context({ inputs: { host, port: 1, adminUser } })).catch(e => e);
    expect(unreachable.message).toMatch(new RegExp(`^mysql driver: ${adminUser}@${host}:1: .*ECONNREFUSED`));

    const wrong = `wrong-${randomUUID()}`;
    const ctx = context({ secrets: { adminPassword: wrong } });
    const refused = await driver.provision(ctx).catch(e => e);
    expect(refused.message).toMatch(new RegExp(`^mysql driver: ${adminUser}@${host}:${port}: Access denied`));
    expect(refused.message).not.toContain(wrong);
    expect(await exists(`b_${ctx.guresid}`)).toEqual({ database: false, user: false });
  });

  it('refuses an invalid database name, naming the input, and flags secrets it does not use', async () => {
    const ctx = context();
    await expect(
      driver.provision({ ...ctx, inputs: { ...ctx.inputs, database: 'Bad-Name' } }),
    ).rejects.toThrow("driverInputs.values.database 'Bad-Name' is not a lowercase SQL identifier of at most 32 characters");
    expect(driver.validateInputs({ host }, ['adminPassword'])).toEqual([]);
    expect(driver.validateInputs({ host }, ['password'])).toEqual([
      { path: 'secrets.password', message: 'is not used by the mysql driver (it takes adminPassword)' },
    ]);
  });
});
