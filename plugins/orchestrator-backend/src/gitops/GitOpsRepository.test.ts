import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { GitOpsRepository } from './GitOpsRepository';

/** A real Git smart-HTTP remote: `git http-backend` behind Basic auth. */
async function startGitHttpServer(
  gitDir: string,
  credentials: { username: string; password: string },
) {
  execFileSync('git', ['init', '--bare', '--initial-branch=main', gitDir]);
  execFileSync('git', ['--git-dir', gitDir, 'config', 'http.receivepack', 'true']);
  const authorizations: string[] = [];
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  const server = http.createServer((req, res) => {
    const authorization = req.headers.authorization;
    if (authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end();
      return;
    }
    authorizations.push(authorization);
    const url = new URL(req.url!, 'http://localhost');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        ...process.env,
        GIT_PROJECT_ROOT: path.dirname(gitDir),
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: `/${path.basename(gitDir)}${url.pathname.replace(/^\/repo/, '')}`,
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method!,
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        REMOTE_USER: credentials.username,
      },
    });
    req.pipe(cgi.stdin);
    let head: Buffer | undefined = Buffer.alloc(0);
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (!head) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers = head.subarray(0, end).toString().split('\r\n');
      let status = 200;
      for (const line of headers) {
        const [name, ...rest] = line.split(':');
        const value = rest.join(':').trim();
        if (name.toLowerCase() === 'status') status = parseInt(value, 10);
        else res.setHeader(name, value);
      }
      res.writeHead(status);
      res.write(head.subarray(end + 4));
      head = undefined;
    });
    cgi.stdout.on('end', () => res.end());
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/repo`,
    gitDir,
    authorizations,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

describe('GitOpsRepository', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-gitops-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('commits an app folder, replaces it on the next commit and skips no-op commits', async () => {
    const repo = await GitOpsRepository.open({ dir: path.join(dir, 'repo') });
    const first = await repo.commitAppState({
      app: 'shop',
      env: 'dev',
      files: { 'web.yaml': 'kind: Deployment\n', 'old.yaml': 'kind: Service\n' },
      extraFiles: { 'argocd/dev-shop.yaml': 'kind: Application\n' },
      message: 'Deploy shop to dev (deployment d1)',
    });
    expect(first).toMatch(/^[0-9a-f]{40}$/);

    const second = await repo.commitAppState({
      app: 'shop',
      env: 'dev',
      files: { 'web.yaml': 'kind: Deployment\nspec: {}\n' },
      message: 'Deploy shop to dev (deployment d2)',
    });
    expect(second).toMatch(/^[0-9a-f]{40}$/);
    expect(await repo.readAppState('shop', 'dev')).toEqual({
      'web.yaml': 'kind: Deployment\nspec: {}\n',
    });

    const again = await repo.commitAppState({
      app: 'shop',
      env: 'dev',
      files: { 'web.yaml': 'kind: Deployment\nspec: {}\n' },
      message: 'no change',
    });
    expect(again).toBeUndefined();
    expect((await repo.log()).map(c => c.message.trim())).toEqual([
      'Deploy shop to dev (deployment d2)',
      'Deploy shop to dev (deployment d1)',
    ]);
  });

  it('keeps other apps and environments untouched', async () => {
    const repo = await GitOpsRepository.open({ dir });
    await repo.commitAppState({ app: 'a', env: 'dev', files: { 'x.yaml': 'a' }, message: 'a' });
    await repo.commitAppState({ app: 'b', env: 'dev', files: { 'x.yaml': 'b' }, message: 'b' });
    expect(await repo.readAppState('a', 'dev')).toEqual({ 'x.yaml': 'a' });
    expect(await repo.readAppState('b', 'dev')).toEqual({ 'x.yaml': 'b' });
  });

  it('pushes to a configured remote with its credentials and continues from it', async () => {
    const remote = await startGitHttpServer(path.join(dir, 'remote.git'), {
      username: 'baton',
      password: 'token-123',
    });
    try {
      const options = {
        remote: { url: remote.url, branch: 'main', username: 'baton', password: 'token-123' },
      };
      const first = await GitOpsRepository.open({ dir: path.join(dir, 'a'), ...options });
      await first.commitAppState({ app: 'shop', env: 'prod', files: { 'a.yaml': '1' }, message: 'one' });

      // A second replica clones the remote and builds on the first one's commit.
      const second = await GitOpsRepository.open({ dir: path.join(dir, 'b'), ...options });
      expect(await second.readAppState('shop', 'prod')).toEqual({ 'a.yaml': '1' });
      await second.commitAppState({ app: 'shop', env: 'qa', files: { 'b.yaml': '2' }, message: 'two' });

      // The first replica fetches before writing, so nothing is lost.
      await first.commitAppState({ app: 'shop', env: 'prod', files: { 'a.yaml': '3' }, message: 'three' });
      const log = execFileSync('git', ['--git-dir', remote.gitDir, 'log', '--format=%s', 'main']).toString();
      expect(log.trim().split('\n')).toEqual(['three', 'two', 'one']);
      expect(remote.authorizations.every(a => a === `Basic ${Buffer.from('baton:token-123').toString('base64')}`)).toBe(true);

      const wrong = await GitOpsRepository.open({
        dir: path.join(dir, 'c'),
        remote: { ...options.remote, password: 'wrong' },
      }).catch(e => e);
      expect(wrong).toBeInstanceOf(Error);
    } finally {
      await remote.close();
    }
  });

  it('refuses file names that leave the app folder', async () => {
    const repo = await GitOpsRepository.open({ dir });
    await expect(
      repo.commitAppState({ app: 'a', env: 'dev', files: { '../../etc/x': 'bad' }, message: 'm' }),
    ).rejects.toThrow(/Invalid GitOps file path/);
  });
});
