import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import orchestratorPlugin from '@baton/backstage-plugin-orchestrator-backend';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { main } from '../main';

jest.setTimeout(60_000);

// `baton deploy` against a real orchestrator backend over HTTP.
describe('baton deploy', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-cli-deploy-'));
  let url: string;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    fs.writeFileSync(
      path.join(root, 'definitions.yaml'),
      'apiVersion: baton.dev/v1\nkind: ResourceDefinition\nmetadata: { id: pg }\nspec: { type: postgres, driver: echo, driverInputs: { values: { host: pg.internal } }, criteria: [{}] }\n',
    );
    const backend = await startTestBackend({
      features: [
        orchestratorPlugin,
        mockServices.rootConfig.factory({
          data: { orchestrator: { dataDir: path.join(root, 'data'), definitions: [path.join(root, 'definitions.yaml')] } },
        }),
      ],
    });
    stop = () => backend.stop();
    url = `http://127.0.0.1:${(backend.server.address() as AddressInfo).port}`;
    const put = (route: string, body: object) =>
      fetch(`${url}/api/orchestrator${route}`, {
        method: 'PUT',
        headers: { authorization: mockCredentials.user.header(), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await put('/env-types/development', {});
    await put('/apps/shop', {});
    await put('/apps/shop/envs/dev', { type: 'development' });
  });
  afterAll(async () => {
    await stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  async function deploy(...args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await main(
      ['node', 'baton', 'deploy', '--url', `${url}/`, '--app', 'shop', '--token', mockCredentials.user.token(), ...args],
      { stdout: t => (stdout += t), stderr: t => (stderr += t) },
    );
    return { code, stdout, stderr };
  }

  it('deploys, prints the log and ends with the deployment status', async () => {
    const score = path.join(root, 'score.yaml');
    fs.writeFileSync(score, 'apiVersion: score.dev/v1b1\nmetadata: { name: web }\ncontainers:\n  main: { image: web }\nresources:\n  db: { type: postgres }\n');
    const { code, stdout, stderr } = await deploy('--env', 'dev', '--score', score, '--comment', 'from the CLI');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines[0]).toMatch(/^deployment \S+ queued$/);
    expect(lines[lines.length - 1]).toMatch(/^deployment \S+ succeeded$/);
    // Each log line once, indented.
    const logged = lines.slice(1, -1);
    expect(logged.length).toBeGreaterThan(0);
    expect(new Set(logged).size).toBe(logged.length);
    expect(logged.every(l => l.startsWith('  '))).toBe(true);
  });

  it('prints the orchestrator error with each problem as file:line:col: message', async () => {
    const invalid = path.join(root, 'invalid.yaml');
    fs.writeFileSync(invalid, 'apiVersion: score.dev/v1b1\nmetadata: {}\n');
    const bad = await deploy('--env', 'dev', '--score', invalid);
    expect(bad.code).toBe(1);
    expect(bad.stderr.split('\n')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^error: HTTP 400: /),
        "workloads[0]:1:1: missing required field 'containers'",
        "workloads[0]:2:1: metadata: missing required field 'name'",
      ]),
    );

    const missing = await deploy('--env', 'nowhere', '--score', invalid);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: HTTP 404: .*nowhere/);
  });
});

// A deployment that ends between two reads of a poll: an orchestrator whose deployment
// finishes the moment its status is first asked for, its log written by then.
describe('baton deploy, a deployment ending between two reads', () => {
  it('prints the log lines written as it ended', async () => {
    let finished = false;
    const server = http.createServer((req, res) => {
      const reply = (body: unknown, status = 200) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const deployment = (status: string) => ({
        id: 'd-1', app: 'shop', env: 'dev', setId: 's', status, createdBy: 'user:default/guest', createdAt: new Date(0).toISOString(), nodes: [],
      });
      if (req.method === 'POST') return reply(deployment('queued'), 202);
      if (req.url!.includes('/log')) {
        return reply({ lines: finished ? [{ id: 1, level: 'info', message: 'Committed abc to the GitOps repository', createdAt: new Date(0).toISOString() }] : [] });
      }
      finished = true;
      return reply(deployment('succeeded'));
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const score = path.join(os.tmpdir(), `baton-cli-race-${process.pid}.yaml`);
    fs.writeFileSync(score, 'apiVersion: score.dev/v1b1\nmetadata: { name: web }\ncontainers:\n  main: { image: web }\n');
    let stdout = '';
    try {
      const code = await main(
        ['node', 'baton', 'deploy', '--url', `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, '--app', 'shop', '--env', 'dev', '--token', 't', '--score', score],
        { stdout: t => (stdout += t), stderr: () => undefined },
      );
      expect(code).toBe(0);
      expect(stdout).toContain('  Committed abc to the GitOps repository\n');
    } finally {
      server.close();
      fs.rmSync(score, { force: true });
    }
  });
});
