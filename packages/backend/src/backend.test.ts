import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BackendProcess, freePort } from './__testUtils__/backendProcess';

// Smoke test of the real backend process: every plugin of src/index.ts
// (catalog, scaffolder, auth, Baton's plugin and modules) starts from
// app-config.yaml, with SQLite in a temporary folder.
jest.setTimeout(120_000);

describe('backend', () => {
  let backend: BackendProcess;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'baton-backend-'));
    backend = new BackendProcess(dataDir, await freePort());
    await backend.start();
  });

  afterAll(async () => {
    await backend.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the orchestrator to a signed-in user and refuses anonymous requests', async () => {
    const token = await backend.guestToken();
    const health = await fetch(`${backend.baseUrl}/api/orchestrator/health`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });

    const anonymous = await fetch(`${backend.baseUrl}/api/orchestrator/health`);
    expect(anonymous.status).toBe(401);
  });

  it('loads the example definitions and runs the catalog and the scaffolder with Baton actions', async () => {
    const headers = { authorization: `Bearer ${await backend.guestToken()}` };
    const definitions = await fetch(`${backend.baseUrl}/api/orchestrator/resource-definitions`, { headers });
    expect((await definitions.json()).items.length).toBeGreaterThan(20);

    const entities = await fetch(`${backend.baseUrl}/api/catalog/entities?limit=1`, { headers });
    expect(entities.status).toBe(200);

    const actions = await fetch(`${backend.baseUrl}/api/scaffolder/v2/actions`, { headers });
    expect(actions.status).toBe(200);
    const ids = ((await actions.json()) as { id: string }[]).map(a => a.id);
    expect(ids).toEqual(expect.arrayContaining(['score:workload:create', 'score:resource:add', 'orchestrator:app:create', 'orchestrator:environment:create']));
    // The current ids, all under baton:; the ones above are their aliases.
    expect(ids).toEqual(
      expect.arrayContaining(['baton:score:create', 'baton:score:resource:add', 'baton:app:create', 'baton:environment:create', 'baton:deploy', 'baton:publish:local']),
    );
  });

  it("offers Baton's actions to agents at the MCP endpoint (app-config.yaml's backend.actions.pluginSources)", async () => {
    const response = await fetch(`${backend.baseUrl}/api/mcp-actions/v1`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await backend.guestToken()}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    expect(response.status).toBe(200);
    const data = (await response.text()).split('\n').find(line => line.startsWith('data: '));
    const names = (JSON.parse(data!.slice('data: '.length)).result.tools as { name: string }[]).map(t => t.name);
    expect(names).toEqual(expect.arrayContaining(['orchestrator.plan', 'orchestrator.deploy', 'orchestrator.get-deployment-log']));
  });
});
