import { randomUUID } from 'node:crypto';
import net from 'node:net';
import type { DriverContext } from '@baton/backstage-plugin-orchestrator-node';
import { AmqpDriver } from './AmqpDriver';

// A real RabbitMQ server: BATON_TEST_AMQP_URL (default
// amqp://guest:guest@127.0.0.1:5672, an administrator) with its management
// API at BATON_TEST_RABBITMQ_MANAGEMENT_URL (default http://127.0.0.1:15672;
// `rabbitmq-plugins enable rabbitmq_management` turns it on, scripts/test
// does when it may); `none` skips these tests.
const url = process.env.BATON_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const managementUrl = (process.env.BATON_TEST_RABBITMQ_MANAGEMENT_URL ?? 'http://127.0.0.1:15672').replace(/\/+$/, '');
jest.setTimeout(30_000);

// Jest still runs a skipped describe's body, so the URL is read only when there is a server.
(url === 'none' ? describe.skip : describe)('AmqpDriver', () => {
  const server = new URL(url === 'none' ? 'amqp://unused' : url);
  const host = server.hostname;
  const port = Number(server.port || 5672);
  const adminUser = decodeURIComponent(server.username) || 'guest';
  const adminSecret = decodeURIComponent(server.password) || 'guest';
  const driver = new AmqpDriver();
  const logged: string[] = [];
  /** Every name a test provisioned, deleted again in afterAll should a test fail half-way. */
  const created = new Set<string>();

  function context(overrides: Partial<DriverContext> = {}): DriverContext {
    const guresid = randomUUID().replace(/-/g, '').slice(0, 24);
    return {
      guresid,
      resource: { uid: 'amqp.default#x', type: 'amqp', class: 'default', resId: 'x', params: {} },
      context: { app: { id: 'shop' }, env: { id: 'dev', type: 'development' } },
      inputs: { host, port, managementUrl, adminUser },
      secrets: { adminPassword: adminSecret },
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

  /** The management API as the test's admin: the parsed body, or the status when there is none. */
  async function api(method: string, path: string, body?: unknown): Promise<any> {
    const response = await fetch(`${managementUrl}${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${adminUser}:${adminSecret}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok && response.status !== 404) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text && response.ok ? JSON.parse(text) : response.status;
  }

  beforeAll(async () => {
    // The management plugin answers some seconds after it was turned on.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const up = await fetch(`${managementUrl}/api/overview`).then(() => true, () => false);
      if (up) break;
      if (Date.now() > deadline) {
        throw new Error(
          `RabbitMQ's management API does not answer at ${managementUrl}: run \`rabbitmq-plugins enable rabbitmq_management\` or set BATON_TEST_AMQP_URL=none`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, 500));
    }
  });

  afterAll(async () => {
    for (const name of created) {
      await api('DELETE', `/api/vhosts/${name}`);
      await api('DELETE', `/api/users/${name}`);
    }
  });

  it('creates a vhost and a user allowed on it alone, idempotently, and deletes both on destroy', async () => {
    const ctx = context();
    const first = await provision(ctx);
    const name = `b_${ctx.guresid}`;
    expect(first.outputs).toEqual({ host, port, vhost: name, username: name });
    const password = first.secrets.password as string;
    expect(password.length).toBeGreaterThanOrEqual(20);

    expect((await api('GET', `/api/vhosts/${name}`)).name).toBe(name);
    expect((await api('GET', `/api/users/${name}`)).tags).toEqual([]);
    expect(await api('GET', `/api/users/${name}/permissions`)).toEqual([
      expect.objectContaining({ vhost: name, user: name, configure: '.*', write: '.*', read: '.*' }),
    ]);
    // Over AMQP itself: its vhost opens, the default one does not, nor does a wrong password.
    expect(await amqpOpen(host, port, name, password, name)).toBe('open');
    expect(await amqpOpen(host, port, name, password, '/')).toMatch(/^refused: 530 NOT_ALLOWED/);
    expect(await amqpOpen(host, port, name, 'not-the-password', name)).toMatch(/^refused: 403 ACCESS_REFUSED/);

    // Again with the cookie: same names, same password, nothing new.
    const second = await provision({ ...ctx, cookie: first.cookie });
    expect(second.outputs).toEqual(first.outputs);
    expect(second.secrets.password).toBe(password);
    expect(second.cookie).toEqual(first.cookie);
    expect(await driver.check({ ...ctx, cookie: first.cookie })).toEqual({ items: [] });
    expect(await amqpOpen(host, port, name, password, name)).toBe('open');

    await driver.destroy({ ...ctx, cookie: first.cookie });
    expect(await api('GET', `/api/vhosts/${name}`)).toBe(404);
    expect(await api('GET', `/api/users/${name}`)).toBe(404);
    expect(await amqpOpen(host, port, name, password, name)).toMatch(/^refused: 403 ACCESS_REFUSED/);
    // Destroying what is gone already is no error.
    await driver.destroy({ ...ctx, cookie: first.cookie });
    expect(logged.join('\n')).not.toContain(password);
  });

  it('finds a changed password, changed permissions and tags, a deleted vhost and user, and repairs each', async () => {
    const ctx = context();
    const result = await provision(ctx);
    const name = result.outputs.username as string;
    const password = result.secrets.password as string;
    const withCookie = { ...ctx, cookie: result.cookie };
    const repaired = async () => {
      await driver.provision(withCookie);
      expect(await driver.check(withCookie)).toEqual({ items: [] });
    };

    await api('PUT', `/api/users/${name}`, { password: 'changed-by-hand', tags: '' });
    expect(await driver.check(withCookie)).toEqual({
      items: [{ kind: 'changed', detail: `the password of user ${name} was changed` }],
    });
    await repaired();
    expect(await amqpOpen(host, port, name, password, name)).toBe('open');

    await api('PUT', `/api/permissions/${name}/${name}`, { configure: '', write: '.*', read: '^mine$' });
    await api('PUT', `/api/permissions/%2F/${name}`, { configure: '.*', write: '.*', read: '.*' });
    await api('PUT', `/api/users/${name}`, { password, tags: 'administrator' });
    expect(await driver.check(withCookie)).toEqual({
      items: [
        { kind: 'changed', detail: `user ${name} was given the tags administrator` },
        { kind: 'changed', detail: `the permissions of user ${name} on vhost ${name} were changed to configure '', write '.*', read '^mine$'` },
        { kind: 'changed', detail: `user ${name} was given permissions on vhost /` },
      ],
    });
    await repaired();
    expect(await amqpOpen(host, port, name, password, '/')).toMatch(/^refused: 530 NOT_ALLOWED/);

    await api('DELETE', `/api/vhosts/${name}`);
    expect(await driver.check(withCookie)).toEqual({ items: [{ kind: 'missing', detail: `vhost ${name} does not exist` }] });
    await repaired();

    await api('DELETE', `/api/permissions/${name}/${name}`);
    expect(await driver.check(withCookie)).toEqual({
      items: [{ kind: 'missing', detail: `user ${name} has no permissions on vhost ${name}` }],
    });
    await repaired();

    await api('DELETE', `/api/users/${name}`);
    expect(await driver.check(withCookie)).toEqual({ items: [{ kind: 'missing', detail: `user ${name} does not exist` }] });
    await repaired();
    expect(await amqpOpen(host, port, name, password, name)).toBe('open');

    await driver.destroy(withCookie);
    expect(await api('GET', `/api/vhosts/${name}`)).toBe(404);
    expect(await api('GET', `/api/users/${name}`)).toBe(404);
  });

  it('reports an unreachable management API and refused admin credentials, naming the URL and no password', async () => {
    const provisionWith = (at: string) =>
      driver.provision(context({ inputs: { host, port, managementUrl: at } })).catch(e => e);
    expect((await provisionWith('http://127.0.0.1:1')).message).toBe(
      "amqp driver: cannot reach RabbitMQ's management API at http://127.0.0.1:1: fetch refuses to connect to port 1",
    );
    // A port nothing listens on: the one a closed server had.
    const closed = net.createServer();
    await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve));
    const free = (closed.address() as net.AddressInfo).port;
    await new Promise(resolve => closed.close(resolve));
    expect((await provisionWith(`http://127.0.0.1:${free}/`)).message).toBe(
      `amqp driver: cannot reach RabbitMQ's management API at http://127.0.0.1:${free}: connect ECONNREFUSED 127.0.0.1:${free}`,
    );

    const wrong = `wrong-${randomUUID()}`;
    const ctx = context({ secrets: { adminPassword: wrong } });
    const refused = await driver.provision(ctx).catch(e => e);
    expect(refused.message).toMatch(
      new RegExp(`^amqp driver: RabbitMQ's management API at ${managementUrl} refused admin user ${adminUser} \\(401 `),
    );
    expect(refused.message).not.toContain(wrong);
    expect(await api('GET', `/api/vhosts/b_${ctx.guresid}`)).toBe(404);
  });

  it('checks its inputs: secrets it does not use, an admin without a password, credentials in the URL', async () => {
    expect(driver.validateInputs({ host }, [])).toEqual([]);
    expect(driver.validateInputs({ host, adminUser: 'baton', managementUrl: 'https://mq.example.com/rabbit' }, ['adminPassword'])).toEqual([]);
    expect(driver.validateInputs({ host, managementUrl: '${resources.mq.url}' }, [])).toEqual([]);
    expect(driver.validateInputs({ host, adminUser: 'baton', managementUrl: 'http://baton:pw@mq:15672' }, ['password'])).toEqual([
      { path: 'secrets.password', message: 'is not used by the amqp driver (it takes adminPassword)' },
      { path: 'secrets.adminPassword', message: 'is required with values.adminUser (only the default guest has a default password)' },
      { path: 'values.managementUrl', message: 'must not hold credentials: give them as values.adminUser and secrets.adminPassword' },
    ]);
    await expect(driver.provision(context({ inputs: { host, managementUrl, adminUser: 'baton' }, secrets: {} }))).rejects.toThrow(
      'amqp driver: driverInputs.secrets.adminPassword is required with adminUser baton',
    );
  });
});

/**
 * Opens an AMQP 0-9-1 connection to a vhost, just far enough to learn whether
 * RabbitMQ lets the user in ('open'), or why not ('refused: <code> <text>'),
 * then closes it properly.
 */
function amqpOpen(host: string, port: number, user: string, password: string, vhost: string): Promise<string> {
  const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const shortstr = (s: string) => Buffer.concat([Buffer.from([Buffer.byteLength(s)]), Buffer.from(s)]);
  const longstr = (b: Buffer) => Buffer.concat([u32(b.length), b]);
  const method = (classId: number, methodId: number, ...args: Buffer[]) => {
    const payload = Buffer.concat([u16(classId), u16(methodId), ...args]);
    return Buffer.concat([Buffer.from([1, 0, 0]), u32(payload.length), payload, Buffer.from([0xce])]);
  };
  // Asks RabbitMQ to say why a login fails instead of just closing the socket.
  const capabilities = Buffer.concat([shortstr('authentication_failure_close'), Buffer.from('t'), Buffer.from([1])]);
  const clientProperties = longstr(Buffer.concat([shortstr('capabilities'), Buffer.from('F'), longstr(capabilities)]));

  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host, () => socket.write(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1')));
    let buffer = Buffer.alloc(0);
    let result: string | undefined;
    socket.setTimeout(10_000, () => socket.destroy(new Error('AMQP handshake timed out')));
    // RabbitMQ may reset the socket right after the closing handshake: with an answer, that is the end.
    socket.on('error', error => (result ? resolve(result) : reject(error)));
    socket.on('close', () => (result ? resolve(result) : reject(new Error('RabbitMQ closed the connection'))));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 7 && buffer.length >= 8 + buffer.readUInt32BE(3)) {
        const type = buffer[0];
        const payload = buffer.subarray(7, 7 + buffer.readUInt32BE(3));
        buffer = buffer.subarray(8 + payload.length);
        if (type !== 1) continue; // only method frames matter here
        const id = `${payload.readUInt16BE(0)}.${payload.readUInt16BE(2)}`;
        if (id === '10.10') {
          // connection.start → start-ok: PLAIN login.
          const response = Buffer.from(`\0${user}\0${password}`);
          socket.write(method(10, 11, clientProperties, shortstr('PLAIN'), longstr(response), shortstr('en_US')));
        } else if (id === '10.30') {
          // connection.tune → tune-ok with the server's limits, then open the vhost.
          socket.write(method(10, 31, payload.subarray(4, 12)));
          socket.write(method(10, 40, shortstr(vhost), shortstr(''), Buffer.from([0])));
        } else if (id === '10.41') {
          result = 'open';
          socket.write(method(10, 50, u16(200), shortstr(''), u16(0), u16(0)));
        } else if (id === '10.50') {
          const code = payload.readUInt16BE(4);
          result = `refused: ${code} ${payload.subarray(7, 7 + payload[6]).toString()}`;
          socket.write(method(10, 51));
          socket.end();
        } else if (id === '10.51') {
          socket.end();
        }
      }
    });
  });
}
