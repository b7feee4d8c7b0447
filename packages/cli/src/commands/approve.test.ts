import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import orchestratorPlugin from '@baton/backstage-plugin-orchestrator-backend';
import fs from 'node:fs';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { main } from '../main';

jest.setTimeout(60_000);

// `baton approve` and `baton reject` against a real orchestrator backend over HTTP.
describe('baton approve and reject', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-cli-approve-'));
  let url: string;
  let stop: () => Promise<void>;
  const score = path.join(root, 'score.yaml');

  beforeAll(async () => {
    fs.writeFileSync(
      path.join(root, 'definitions.yaml'),
      'apiVersion: baton.dev/v1\nkind: ResourceDefinition\nmetadata: { id: pg }\nspec: { type: postgres, driver: echo, driverInputs: { values: { host: pg.internal } }, criteria: [{}] }\n',
    );
    fs.writeFileSync(score, 'apiVersion: score.dev/v1b1\nmetadata: { name: web }\ncontainers:\n  main: { image: web }\nresources:\n  db: { type: postgres }\n');
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
    await put('/env-types/production', { approval: { required: true } });
    await put('/apps/shop', {});
    await put('/apps/shop/envs/prod', { type: 'production' });
  });
  afterAll(async () => {
    await stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  async function baton(...args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await main(['node', 'baton', ...args], { stdout: t => (stdout += t), stderr: t => (stderr += t) });
    return { code, stdout, stderr };
  }

  async function requested() {
    const deployed = await baton('deploy', '--url', url, '--app', 'shop', '--env', 'prod', '--score', score, '--no-wait', '--token', mockCredentials.user.token());
    expect(deployed.stdout).toMatch(/^deployment \S+ awaiting-approval\n$/);
    return deployed.stdout.split(' ')[1];
  }

  it('approves as someone other than the requester, who may not', async () => {
    const id = await requested();
    const own = await baton('approve', 'shop', 'prod', id, '--url', url, '--token', mockCredentials.user.token());
    expect(own).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: HTTP 403: user:default/mock requested deployment ${id} and cannot approve it: someone else must\n`,
    });
    const approved = await baton('approve', 'shop', 'prod', id, '--url', url, '--comment', 'looks right', '--token', mockCredentials.user.token('user:default/alice'));
    expect(approved).toEqual({ code: 0, stdout: `deployment ${id} queued (approved by user:default/alice)\n`, stderr: '' });
    const late = await baton('reject', 'shop', 'prod', id, '--url', url, '--token', mockCredentials.user.token('user:default/alice'));
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(new RegExp(`^error: HTTP 409: Deployment ${id} is \\S+ \\(approved by user:default/alice`));
  });

  it('rejects, and a deployment that does not exist is a 404', async () => {
    const id = await requested();
    const rejected = await baton('reject', 'shop', 'prod', id, '--url', url, '--comment', 'not now', '--token', mockCredentials.user.token('user:default/alice'));
    expect(rejected).toEqual({ code: 0, stdout: `deployment ${id} rejected (rejected by user:default/alice)\n`, stderr: '' });
    const missing = await baton('approve', 'shop', 'prod', 'nope', '--url', url, '--token', mockCredentials.user.token('user:default/alice'));
    expect(missing).toEqual({ code: 1, stdout: '', stderr: 'error: HTTP 404: No deployment nope in shop/prod\n' });
    expect((await baton('approve', 'shop', 'prod')).code).toBe(2);
  });
});
