import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createServer, Server, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BackendProcess, freePort } from './__testUtils__/backendProcess';

jest.setTimeout(180_000);

// Kill the backend during a deployment and start it again: the deployment
// that was running is queued again and runs from the start, and a graceful
// stop then hands it back to the queue within seconds.
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

  it('finds the interrupted deployment on start and runs it again; a graceful stop hands it back', async () => {
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

    const connectionsBefore = sockets.length;
    await backend.start();
    const headers2 = { authorization: `Bearer ${await backend.guestToken()}` };
    const get = async (p: string) => (await fetch(`${api}${p}`, { headers: headers2 })).json();
    const logText = async () => (await get(`/apps/shop/envs/qa/deployments/${id}/log`)).lines.map((l: { message: string }) => l.message).join('\n');
    // Running again: the driver connects to the (hanging) server once more.
    for (let i = 0; i < 600 && sockets.length === connectionsBefore; i++) await new Promise(r => setTimeout(r, 100));
    expect(sockets.length).toBeGreaterThan(connectionsBefore);
    expect((await get(`/apps/shop/envs/qa/deployments/${id}`)).status).toBe('running');
    expect(await logText()).toMatch(/stopped during this deployment; backend \S+ queued it again, to run from the start \(interruption 1\)/);

    const stopping = Date.now();
    await backend.stop();
    expect(Date.now() - stopping).toBeLessThan(10_000);
    // Nothing runs it now; it waits in the queue, in its place, for the next backend.
    await backend.start();
    const handedBack = await logText();
    expect(handedBack).toMatch(/is stopping: it handed this deployment back to the queue/);
    await backend.stop();
  });
});

// The same with Terraform applying a module: its process outlives the backend,
// finishes, and leaves the state it could not hand back; the next deployment
// takes that state in, breaks the dead run's lock once it lapses, and finds
// everything made (nothing made twice, nothing lost).
const terraform = spawnSync('terraform', ['version'], { stdio: 'ignore' }).status === 0 ? 'terraform' : undefined;
(terraform ? describe : describe.skip)('a backend killed during a Terraform apply', () => {
  it('keeps what the apply made and converges on the next deployment', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'baton-crash-tf-'));
    const mark = path.join(dataDir, 'second-started');
    const backend = new BackendProcess(dataDir, await freePort(), {
      orchestrator: { drivers: { terraform: { binary: terraform, lockLeaseSeconds: 2 } } },
    });
    try {
      await backend.start();
      const headers = { authorization: `Bearer ${await backend.guestToken()}`, 'content-type': 'application/json' };
      const api = `${backend.baseUrl}/api/orchestrator`;
      const put = (p: string, body: unknown) => fetch(`${api}${p}`, { method: 'PUT', headers, body: JSON.stringify(body) });
      await put('/env-types/staging', {});
      await put('/apps/shop', {});
      await put('/apps/shop/envs/tf', { type: 'staging' });
      const script = [
        'variable "mark" { type = string }',
        'resource "terraform_data" "first" { input = "made before the crash" }',
        'resource "terraform_data" "second" {',
        '  depends_on = [terraform_data.first]',
        '  input      = "made after the crash"',
        '  provisioner "local-exec" { command = "touch ${var.mark} && sleep 2" }',
        '}',
        'output "made" { value = "${terraform_data.first.output}, ${terraform_data.second.output}" }',
      ].join('\n');
      const defined = await put('/resource-definitions/bucket-tf', {
        apiVersion: 'baton.dev/v1',
        kind: 'ResourceDefinition',
        metadata: { id: 'bucket-tf' },
        spec: { type: 's3', driver: 'terraform', driverInputs: { values: { script, variables: { mark } } }, criteria: [{ envId: 'tf' }] },
      });
      expect(defined.status).toBe(200);
      const workload = 'apiVersion: score.dev/v1b1\nmetadata: { name: web }\ncontainers:\n  main: { image: web }\nresources:\n  bucket: { type: s3 }\n';
      const deploy = async (h: Record<string, string>) => (await (await fetch(`${api}/apps/shop/envs/tf/deployments`, { method: 'POST', headers: h, body: JSON.stringify({ workloads: [workload] }) })).json()).id;
      const first = await deploy(headers);

      // Terraform has made the first resource and is making the second: kill -9.
      for (let i = 0; i < 300 && !existsSync(mark); i++) await new Promise(r => setTimeout(r, 100));
      expect(existsSync(mark)).toBe(true);
      await backend.stop('SIGKILL');
      // Terraform finishes on its own and writes the state it cannot hand back.
      const runs = path.join(dataDir, 'orchestrator', 'terraform', 'runs');
      const errored = () => readdirSync(runs).some(run => existsSync(path.join(runs, run, 'module', 'errored.tfstate')));
      for (let i = 0; i < 600 && !errored(); i++) await new Promise(r => setTimeout(r, 100));
      expect(errored()).toBe(true);

      await backend.start();
      const headers2 = { authorization: `Bearer ${await backend.guestToken()}`, 'content-type': 'application/json' };
      const get = async (p: string) => (await fetch(`${api}${p}`, { headers: headers2 })).json();
      // The interrupted deployment runs again from the start.
      let status = '';
      for (let i = 0; i < 600 && !['succeeded', 'failed'].includes(status); i++) {
        await new Promise(r => setTimeout(r, 100));
        status = (await get(`/apps/shop/envs/tf/deployments/${first}`)).status;
      }
      const log = (await get(`/apps/shop/envs/tf/deployments/${first}/log`)).lines.map((l: { message: string }) => l.message).join('\n');
      expect(`${status}\n${log}`).toMatch(/^succeeded/);
      expect(log).toMatch(/queued it again, to run from the start/);
      expect(log).toMatch(/kept the state that an interrupted run could not save/);
      expect(log).toMatch(/broke the state lock of an interrupted run/);
      // Both resources were in the kept state: nothing was made again.
      expect(log).toMatch(/Resources: 0 added, 0 changed, 0 destroyed/);
      const resources = await get('/apps/shop/envs/tf/resources');
      expect(resources.find((r: { type: string }) => r.type === 's3').outputs).toEqual({ made: 'made before the crash, made after the crash' });
      expect(readdirSync(runs)).toEqual([]);
    } finally {
      await backend.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
