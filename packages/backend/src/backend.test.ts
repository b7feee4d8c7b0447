import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

// Smoke test of the real backend process: every plugin of src/index.ts
// (catalog, scaffolder, auth, Baton's plugin and modules) starts from
// app-config.yaml, with SQLite in a temporary folder.
jest.setTimeout(120_000);

const root = path.resolve(__dirname, '../../..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForReady(baseUrl: string, child: ChildProcess, log: () => string) {
  const deadline = Date.now() + 100_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`backend exited with ${child.exitCode}:\n${log()}`);
    }
    try {
      const res = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error(`backend did not become ready:\n${log()}`);
}

describe('backend', () => {
  let child: ChildProcess;
  let output = '';
  let baseUrl: string;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'baton-backend-'));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const override = path.join(dataDir, 'app-config.test.yaml');
    writeFileSync(
      override,
      JSON.stringify({
        backend: {
          baseUrl,
          listen: { port },
          database: {
            client: 'better-sqlite3',
            connection: { directory: path.join(dataDir, 'sqlite') },
          },
        },
        orchestrator: {
          dataDir: path.join(dataDir, 'orchestrator'),
          definitions: [path.join(root, 'examples/definitions')],
        },
      }),
    );
    child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
        'packages/backend/src/index.ts',
        '--config',
        'app-config.yaml',
        '--config',
        override,
      ],
      { cwd: root, env: { ...process.env, NODE_ENV: 'development' } },
    );
    child.stdout!.on('data', d => (output += d));
    child.stderr!.on('data', d => (output += d));
    await waitForReady(baseUrl, child, () => output);
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise(r => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the orchestrator to a signed-in user and refuses anonymous requests', async () => {
    const refresh = await fetch(`${baseUrl}/api/auth/guest/refresh`);
    expect(refresh.status).toBe(200);
    const token = (await refresh.json()).backstageIdentity.token;

    const health = await fetch(`${baseUrl}/api/orchestrator/health`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });

    const anonymous = await fetch(`${baseUrl}/api/orchestrator/health`);
    expect(anonymous.status).toBe(401);
  });

  it('runs the catalog and the scaffolder with Baton actions', async () => {
    const { token } = await fetch(`${baseUrl}/api/auth/guest/refresh`)
      .then(r => r.json())
      .then(b => ({ token: b.backstageIdentity.token as string }));
    const headers = { authorization: `Bearer ${token}` };

    const entities = await fetch(`${baseUrl}/api/catalog/entities?limit=1`, {
      headers,
    });
    expect(entities.status).toBe(200);

    const actions = await fetch(`${baseUrl}/api/scaffolder/v2/actions`, {
      headers,
    });
    expect(actions.status).toBe(200);
    const ids = ((await actions.json()) as { id: string }[]).map(a => a.id);
    expect(ids).toContain('score:workload:create');
  });
});
