import { knex } from 'knex';
import { randomUUID } from 'node:crypto';
import type { DriverContext } from '@baton/backstage-plugin-orchestrator-node';
import { PostgresDriver } from './PostgresDriver';

// A real PostgreSQL server: BATON_TEST_POSTGRES_URL (scripts/test defaults it
// to postgresql://postgres@127.0.0.1:5432); `none` skips these tests.
const url = process.env.BATON_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';
jest.setTimeout(30_000);

// Jest still runs a skipped describe's body, so the URL is read only when there is a server.
(url === 'none' ? describe.skip : describe)('PostgresDriver', () => {
  const server = new URL(url === 'none' ? 'postgresql://unused' : url);
  const admin = knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  const driver = new PostgresDriver();
  const logged: string[] = [];

  function context(overrides: Partial<DriverContext> = {}): DriverContext {
    const guresid = `t${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    return {
      guresid,
      resource: { uid: 'postgres.default#x', type: 'postgres', class: 'default', resId: 'x', params: {} },
      context: { app: { id: 'shop' }, env: { id: 'dev', type: 'development' } },
      inputs: { host: server.hostname, port: Number(server.port || 5432), adminUser: decodeURIComponent(server.username) || 'postgres' },
      secrets: server.password ? { adminPassword: decodeURIComponent(server.password) } : {},
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

  afterAll(() => admin.destroy());

  it('creates a database and a login role, idempotently, and drops them on destroy', async () => {
    const ctx = context();
    const first = await driver.provision(ctx);
    const name = first.outputs.database as string;
    expect(first.outputs).toEqual({
      host: server.hostname,
      port: Number(server.port || 5432),
      name,
      database: name,
      username: name,
    });
    const password = first.secrets.password as string;
    expect(password.length).toBeGreaterThanOrEqual(20);

    const dbs = await admin.raw('SELECT datname FROM pg_database WHERE datname = ?', [name]);
    expect(dbs.rows).toHaveLength(1);

    // Again with the cookie: same names, same password, nothing new.
    const second = await driver.provision({ ...ctx, cookie: first.cookie });
    expect(second.outputs).toEqual(first.outputs);
    expect(second.secrets.password).toBe(password);
    expect(await driver.check({ ...ctx, cookie: first.cookie })).toEqual({ items: [] });

    await driver.destroy({ ...ctx, cookie: first.cookie });
    const gone = await admin.raw('SELECT 1 FROM pg_roles WHERE rolname = ?', [name]);
    expect(gone.rows).toHaveLength(0);
    expect(logged.join('\n')).not.toContain(password);
  });

  it('finds a dropped database and a changed password', async () => {
    const ctx = context();
    const result = await driver.provision(ctx);
    const name = result.outputs.database as string;
    const withCookie = { ...ctx, cookie: result.cookie };

    await admin.raw(`ALTER ROLE ?? PASSWORD 'changed-by-hand'`, [name]);
    expect(await driver.check(withCookie)).toEqual({
      items: [{ kind: 'changed', detail: `the password of role ${name} was changed` }],
    });

    await admin.raw('DROP DATABASE ??', [name]);
    const report = await driver.check(withCookie);
    expect(report.items).toContainEqual({ kind: 'missing', detail: `database ${name} does not exist` });

    // Provisioning again converges: database back, password restored.
    await driver.provision(withCookie);
    expect(await driver.check(withCookie)).toEqual({ items: [] });
    await driver.destroy(withCookie);
  });

  it('reports server errors without any password', async () => {
    const ctx = context({ inputs: { host: server.hostname, port: 1, adminUser: 'postgres' } });
    const error = await driver.provision(ctx).catch(e => e);
    expect(error.message).toMatch(/^postgres driver: /);
  });

  it('refuses an invalid database name, naming the input', async () => {
    const ctx = context();
    await expect(
      driver.provision({ ...ctx, inputs: { ...ctx.inputs, database: 'Bad-Name' } }),
    ).rejects.toThrow("driverInputs.values.database 'Bad-Name' is not a lowercase SQL identifier");
  });
});
