import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BackendProcess, freePort } from './__testUtils__/backendProcess';

jest.setTimeout(180_000);

// Kill the backend during a deployment and start it again: the deployment
// that was running is marked failed, nothing stays running, and the next
// deployment runs.
describe('a backend killed during a deployment', () => {
  let blackhole: Server;
  const sockets: Socket[] = [];
  let dataDir: string;

  beforeAll(async () => {
    // A "database server" that accepts connections and never answers, so the
    // postgres driver is still provisioning when the backend is killed.
    blackhole = createServer(socket => sockets.push(socket));
    await new Promise<void>(r => blackhole.listen(0, '127.0.0.1', r));
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'baton-crash-'));
  });

  afterAll(async () => {
    sockets.forEach(s => s.destroy());
    await new Promise(r => blackhole.close(r));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds the interrupted deployment on start and marks it failed', async () => {
    const backend = new BackendProcess(dataDir, await freePort());
    await backend.start();
    const headers = { authorization: `Bearer ${await backend.guestToken()}`, 'content-type': 'application/json' };
    const api = `${backend.baseUrl}/api/orchestrator`;
    const put = (p: string, body: unknown) => fetch(`${api}${p}`, { method: 'PUT', headers, body: JSON.stringify(body) });
    const { port } = blackhole.address() as { port: number };

    await put('/env-types/staging', {});
    await put('/apps/shop', {});
    await put('/apps/shop/envs/qa', { type: 'staging' });
    await put('/resource-definitions/postgres-hanging', {
      apiVersion: 'baton.dev/v1',
      kind: 'ResourceDefinition',
      metadata: { id: 'postgres-hanging' },
      spec: { type: 'postgres', driver: 'postgres', driverInputs: { values: { host: '127.0.0.1', port } }, criteria: [{ envId: 'qa' }] },
    });
    const workload = 'apiVersion: score.dev/v1b1\nmetadata: { name: web }\ncontainers:\n  main: { image: web }\nresources:\n  db: { type: postgres }\n';
    const created = await fetch(`${api}/apps/shop/envs/qa/deployments`, { method: 'POST', headers, body: JSON.stringify({ workloads: [workload] }) });
    const { id } = await created.json();

    // Wait until the postgres node is being provisioned, then kill -9.
    for (let i = 0; i < 100 && sockets.length === 0; i++) await new Promise(r => setTimeout(r, 100));
    expect(sockets.length).toBeGreaterThan(0);
    const running = await (await fetch(`${api}/apps/shop/envs/qa/deployments/${id}`, { headers })).json();
    expect(running.status).toBe('running');
    await backend.stop('SIGKILL');

    await backend.start();
    const headers2 = { authorization: `Bearer ${await backend.guestToken()}` };
    const after = await (await fetch(`${api}/apps/shop/envs/qa/deployments/${id}`, { headers: headers2 })).json();
    expect(after.status).toBe('failed');
    expect(after.error).toMatch(/stopped before it finished/);
    const log = await (await fetch(`${api}/apps/shop/envs/qa/deployments/${id}/log`, { headers: headers2 })).json();
    expect(log.lines.map((l: { message: string }) => l.message).join('\n')).toMatch(/Deploy again to converge/);
    await backend.stop();
  });
});
