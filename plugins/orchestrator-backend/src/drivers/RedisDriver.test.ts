import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { DriverContext } from '@baton/backstage-plugin-orchestrator-node';
import { RedisDriver } from './RedisDriver';

// A real Redis server (6.2 or later): BATON_TEST_REDIS_URL (default
// redis://127.0.0.1:6379, an admin login); `none` skips these tests.
const url = process.env.BATON_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
jest.setTimeout(30_000);

// Jest still runs a skipped describe's body, so the URL is read only when there is a server.
(url === 'none' ? describe.skip : describe)('RedisDriver', () => {
  const server = new URL(url === 'none' ? 'redis://unused' : url);
  const host = server.hostname;
  const port = Number(server.port || 6379);
  const adminUser = decodeURIComponent(server.username) || undefined;
  const adminSecret = decodeURIComponent(server.password);
  const driver = new RedisDriver();
  const logged: string[] = [];
  /** Every user a test provisioned, deleted again in afterAll should a test fail half-way. */
  const created = new Set<string>();
  const clients: Redis[] = [];
  let admin: Redis;

  function context(overrides: Partial<DriverContext> = {}): DriverContext {
    const guresid = randomUUID().replace(/-/g, '').slice(0, 24);
    return {
      guresid,
      resource: { uid: 'redis.default#x', type: 'redis', class: 'default', resId: 'x', params: {} },
      context: { app: { id: 'shop' }, env: { id: 'dev', type: 'development' } },
      inputs: { host, port, ...(adminUser ? { adminUser } : {}) },
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
    created.add(result.outputs.username as string);
    return result;
  }

  function client(username?: string, password?: string): Redis {
    const redis = new Redis({ host, port, username, password, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => {});
    clients.push(redis);
    return redis;
  }

  /** The error a command gets (undefined: it ran). */
  function refusal(redis: Redis, command: string, ...args: (string | number)[]): Promise<string | undefined> {
    return redis.call(command, args).then(
      () => undefined,
      (e: Error) => e.message.split(' ')[0],
    );
  }

  beforeAll(async () => {
    admin = client(adminUser, adminSecret || undefined);
    await admin.connect();
  });

  afterAll(async () => {
    for (const username of created) {
      await admin.call('ACL', ['DELUSER', username]);
      const keys = (await admin.call('SCAN', ['0', 'MATCH', `${username}:*`, 'COUNT', 10_000])) as [string, string[]];
      if (keys[1].length) await admin.call('DEL', keys[1]);
    }
    for (const redis of clients) redis.disconnect();
  });

  it('creates a user limited to its prefix, idempotently, and deletes it with its keys on destroy', async () => {
    const ctx = context();
    const first = await provision(ctx);
    const username = `b_${ctx.guresid}`;
    const prefix = `${username}:`;
    expect(first.outputs).toEqual({ host, port, username, prefix });
    const password = first.secrets.password as string;
    expect(password.length).toBeGreaterThanOrEqual(20);

    const outside = `other-${ctx.guresid}`;
    await admin.set(outside, 'not yours');
    try {
      const user = client(username, password);
      await user.connect();
      expect(await user.set(`${prefix}a`, '1')).toBe('OK');
      expect(await user.get(`${prefix}a`)).toBe('1');
      expect(await refusal(user, 'PUBLISH', `${prefix}events`, 'hi')).toBeUndefined();
      // Another key, another channel, listing keys, administration: all refused.
      expect(await refusal(user, 'SET', outside, 'mine now')).toBe('NOPERM');
      expect(await refusal(user, 'GET', outside)).toBe('NOPERM');
      expect(await refusal(user, 'PUBLISH', 'other-channel', 'hi')).toBe('NOPERM');
      expect(await refusal(user, 'SCAN', 0)).toBe('NOPERM');
      expect(await refusal(user, 'KEYS', '*')).toBe('NOPERM');
      expect(await refusal(user, 'FLUSHALL')).toBe('NOPERM');
      expect(await refusal(user, 'ACL', 'LIST')).toBe('NOPERM');
      expect(await admin.get(outside)).toBe('not yours');

      // Again with the cookie: same user, same password, nothing changed, and
      // the user's open connection carries on.
      const second = await provision({ ...ctx, cookie: first.cookie });
      expect(second.outputs).toEqual(first.outputs);
      expect(second.secrets.password).toBe(password);
      expect(second.cookie).toEqual(first.cookie);
      expect(await driver.check({ ...ctx, cookie: first.cookie })).toEqual({ items: [] });
      expect(await user.get(`${prefix}a`)).toBe('1');

      // More keys than one SCAN batch returns, so that destroy has to go on scanning.
      const many = Array.from({ length: 1_200 }, (_, i) => [`${prefix}k${i}`, 'v']).flat();
      await user.call('MSET', many);
      await driver.destroy({ ...ctx, cookie: first.cookie });
      expect(await admin.call('ACL', ['GETUSER', username])).toBeNull();
      const [, left] = (await admin.call('SCAN', ['0', 'MATCH', `${prefix}*`, 'COUNT', 100_000])) as [string, string[]];
      expect(left).toEqual([]);
      expect(await admin.get(outside)).toBe('not yours');
      expect(logged.join('\n')).toContain(`deleted user ${username} and 1201 keys under ${prefix}`);
      // Destroying what is gone already is no error.
      await driver.destroy({ ...ctx, cookie: first.cookie });
    } finally {
      await admin.del(outside);
    }
    expect(logged.join('\n')).not.toContain(password);
  });

  it('finds a changed password, a disabled user, widened patterns and commands, a deleted user, and repairs each', async () => {
    const ctx = context();
    const result = await provision(ctx);
    const username = result.outputs.username as string;
    const prefix = result.outputs.prefix as string;
    const withCookie = { ...ctx, cookie: result.cookie };
    const drift = async (...rules: string[]) => {
      await admin.call('ACL', ['SETUSER', username, ...rules]);
      return (await driver.check(withCookie)).items;
    };
    const repaired = async () => {
      await driver.provision(withCookie);
      expect(await driver.check(withCookie)).toEqual({ items: [] });
    };
    const commands = (result.cookie as { commands: string }).commands;

    expect(await drift('resetpass', '>changed-by-hand')).toEqual([
      { kind: 'changed', detail: `the password of user ${username} was changed` },
    ]);
    await repaired();
    const user = client(username, result.secrets.password as string);
    await user.connect();
    expect(await user.set(`${prefix}x`, '1')).toBe('OK');

    expect(await drift('off')).toEqual([{ kind: 'changed', detail: `user ${username} is disabled` }]);
    await repaired();

    expect(await drift('~*', '&*')).toEqual([
      { kind: 'changed', detail: `the key patterns of user ${username} were changed to '~*' (expected '~${prefix}*')` },
      { kind: 'changed', detail: `the channel patterns of user ${username} were changed to '&*' (expected '&${prefix}*')` },
    ]);
    await repaired();
    expect(await refusal(user, 'GET', 'anything-else')).toBe('NOPERM');

    // Redis spells the rules out its own way: '+@all -flushall -sort …'.
    const widened = await drift('+@admin');
    expect(widened).toEqual([{ kind: 'changed', detail: expect.stringMatching(`^the commands of user ${username} were changed to '`) }]);
    expect(widened[0].detail.endsWith(`' (expected '${commands}')`)).toBe(true);
    await repaired();

    await admin.call('ACL', ['DELUSER', username]);
    expect(await driver.check(withCookie)).toEqual({ items: [{ kind: 'missing', detail: `user ${username} does not exist` }] });
    await repaired();

    await driver.destroy(withCookie);
    expect(await admin.call('ACL', ['GETUSER', username])).toBeNull();
  });

  it('reports an unreachable server and refused admin credentials, naming the server and no password', async () => {
    const unreachable = await driver.provision(context({ inputs: { host, port: 1 } })).catch(e => e);
    expect(unreachable.message).toMatch(new RegExp(`^redis driver: default@${host}:1: .*ECONNREFUSED`));

    const wrong = `wrong-${randomUUID()}`;
    const ctx = context({ inputs: { host, port, adminUser: 'baton-no-such-admin' }, secrets: { adminPassword: wrong } });
    const refused = await driver.provision(ctx).catch(e => e);
    expect(refused.message).toMatch(new RegExp(`^redis driver: baton-no-such-admin@${host}:${port}: WRONGPASS`));
    expect(refused.message).not.toContain(wrong);
    expect(await admin.call('ACL', ['GETUSER', `b_${ctx.guresid}`])).toBeNull();
  });

  it('flags secrets it does not use', () => {
    expect(driver.validateInputs({ host }, ['adminPassword'])).toEqual([]);
    expect(driver.validateInputs({ host }, ['password'])).toEqual([
      { path: 'secrets.password', message: 'is not used by the redis driver (it takes adminPassword)' },
    ]);
  });
});
