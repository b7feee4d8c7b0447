import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import git from 'isomorphic-git';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createPublishLocalAction } from './publishLocal';

describe('baton:publish:local', () => {
  it('publishes a bare repository to clone and push to, whose pushes update the catalog checkout and notify the webhook', async () => {
    const repositoriesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-repos-'));
    const notified: unknown[] = [];
    const webhook = http.createServer((req, res) => {
      let body = '';
      req.on('data', chunk => (body += chunk));
      req.on('end', () => {
        notified.push({ path: req.url, body: JSON.parse(body) });
        res.writeHead(202, { 'Content-Type': 'application/json' }).end('{"queued":["d1"]}');
      });
    });
    await new Promise<void>(resolve => webhook.listen(0, '127.0.0.1', resolve));
    const webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/api/orchestrator/webhooks/git`;

    const catalog = catalogServiceMock();
    const addLocation = jest.spyOn(catalog, 'addLocation').mockResolvedValue({ location: { id: '1', type: 'file', target: '', entityRef: 'location:default/x' }, entities: [] });
    const action = createPublishLocalAction({ repositoriesDir, catalog, auth: mockServices.auth(), webhookUrl });
    const ctx = createMockActionContext({ input: { name: 'payments' } });
    fs.mkdirSync(path.join(ctx.workspacePath, 'src'), { recursive: true });
    fs.writeFileSync(path.join(ctx.workspacePath, 'score.yaml'), 'apiVersion: score.dev/v1b1\n');
    fs.writeFileSync(path.join(ctx.workspacePath, 'catalog-info.yaml'), 'kind: Component\n');
    fs.writeFileSync(path.join(ctx.workspacePath, 'src', 'index.js'), '');

    await action.handler(ctx);

    const gitdir = path.join(repositoriesDir, 'payments.git');
    const checkout = path.join(repositoriesDir, 'payments');
    expect(await git.listFiles({ fs, gitdir, ref: 'main' })).toEqual(['catalog-info.yaml', 'score.yaml', 'src/index.js']);
    expect(ctx.output).toHaveBeenCalledWith('remoteUrl', gitdir);
    expect(ctx.output).toHaveBeenCalledWith('cloneCommand', `git clone '${gitdir}' payments`);
    expect(addLocation).toHaveBeenCalledWith(
      { type: 'file', target: path.join(checkout, 'catalog-info.yaml') },
      expect.anything(),
    );

    // What a developer does with the clone command: clone, change, push.
    const clone = path.join(repositoriesDir, 'clone');
    // Asynchronous: the push's hook calls the webhook server of this process.
    const gitCli = (...args: string[]) =>
      promisify(execFile)('git', ['-c', 'user.name=dev', '-c', 'user.email=dev@example.com', ...args], { cwd: clone });
    await promisify(execFile)('git', ['clone', '-q', gitdir, clone]);
    fs.writeFileSync(path.join(clone, 'catalog-info.yaml'), 'kind: Component # changed\n');
    fs.rmSync(path.join(clone, 'src', 'index.js'));
    await gitCli('commit', '-qam', 'change');
    const push = await gitCli('push', 'origin', 'main');
    expect(push.stderr).toContain('{"queued":["d1"]}');

    expect(fs.readFileSync(path.join(checkout, 'catalog-info.yaml'), 'utf8')).toBe('kind: Component # changed\n');
    expect(fs.existsSync(path.join(checkout, 'src', 'index.js'))).toBe(false);
    expect(notified).toEqual([{ path: '/api/orchestrator/webhooks/git', body: { repository: gitdir } }]);

    // A second template run with the same name does not overwrite it.
    await expect(action.handler(createMockActionContext({ input: { name: 'payments' } }))).rejects.toThrow(/exists already/);
    webhook.close();
    fs.rmSync(repositoriesDir, { recursive: true, force: true });
  });
});
