import { startTestBackend } from '@backstage/backend-test-utils';
import git from 'isomorphic-git';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { orchestratorPlugin } from '../plugin';
import { createHmac } from 'node:crypto';
import { rootConfigServiceFactory } from '@backstage/backend-defaults/rootConfig';
import { globToRegExp, sameRepository } from './GitWatcher';
import { createTestOrchestrator } from '../__testUtils__/createTestOrchestrator';
import { temporaryFolder } from '../__testUtils__/temporaryFolder';
import { startGitHttpServer } from '../__testUtils__/gitHttpServer';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

jest.setTimeout(60_000);

describe('globToRegExp', () => {
  it('matches * within a folder and ** across folders', () => {
    expect(globToRegExp('**/score.yaml').test('services/web/score.yaml')).toBe(true);
    expect(globToRegExp('**/score.yaml').test('score.yaml')).toBe(true);
    expect(globToRegExp('services/*/score.yaml').test('services/a/b/score.yaml')).toBe(false);
    expect(globToRegExp('*.score.yaml').test('web.score.yaml')).toBe(true);
  });
});

const definitions = `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: pg }
spec: { type: postgres, driver: echo, driverInputs: { values: { host: pg } }, criteria: [{}] }
---
apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: s3 }
spec: { type: s3, driver: echo, driverInputs: { values: { bucket: b } }, criteria: [{}] }
`;

describe('sameRepository', () => {
  it('matches the https, ssh and scp-like forms of one repository', () => {
    expect(sameRepository('git@github.com:acme/web.git', 'https://github.com/acme/web')).toBe(true);
    expect(sameRepository('ssh://git@gitlab.example.com/acme/web.git', 'https://gitlab.example.com/acme/web.git')).toBe(true);
    expect(sameRepository('https://github.com/acme/web', 'https://github.com/acme/web-api')).toBe(false);
  });
});

describe('GitWatcher', () => {
  it('deploys a branch when a commit changes its Score files, and only then', async () => {
    const repo = path.join(temporaryFolder('baton-watch-'), 'service');
    await git.init({ fs, dir: repo, defaultBranch: 'main' });
    const commit = async (file: string, content: string, message: string) => {
      fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
      fs.writeFileSync(path.join(repo, file), content);
      await git.add({ fs, dir: repo, filepath: file });
      return git.commit({ fs, dir: repo, message, author: { name: 'dev', email: 'dev@example.com' } });
    };
    const score = (resources: string) =>
      `apiVersion: score.dev/v1b1\nmetadata: { name: web }\ncontainers:\n  main: { image: web }\nresources:\n${resources}`;
    await commit('score.yaml', score('  db: { type: postgres }\n'), 'first version');

    const { api, waitForDeployment, stop } = await createTestOrchestrator({
      definitions,
      orchestrator: { gitWatch: { repositories: [{ url: repo, app: 'shop', branches: { main: 'dev' } }] } },
      environments: { 'shop/dev': 'development' },
    });
    const finished = (id: string) => waitForDeployment('shop', 'dev', id);

    const first = await api.post('/api/orchestrator/webhooks/git').send({ repository: repo }).expect(202);
    expect(first.body.queued).toHaveLength(1);
    expect((await finished(first.body.queued[0])).comment).toMatch(/^git [0-9a-f]{12} on main: first version$/);

    // "Add a bucket to score.yaml, git push"
    await commit('score.yaml', score('  db: { type: postgres }\n  assets: { type: s3 }\n'), 'add a bucket');
    const second = await api.post('/api/orchestrator/webhooks/git').send({ repository: { clone_url: repo } }).expect(202);
    expect(second.body.queued).toHaveLength(1);
    expect((await finished(second.body.queued[0])).status).toBe('succeeded');
    const resources = await api.get('/api/orchestrator/apps/shop/envs/dev/resources').expect(200);
    expect(resources.body.map((r: { type: string }) => r.type)).toContain('s3');

    // A commit that touches no Score file deploys nothing.
    await commit('README.md', '# web\n', 'docs');
    const third = await api.post('/api/orchestrator/webhooks/git').send({}).expect(202);
    expect(third.body.queued).toEqual([]);
    await stop();
  });
});

describe('GitWatcher of a remote repository', () => {
  it('downloads only the new commits on each poll, not the branch\'s history again', async () => {
    const dir = path.join(temporaryFolder('baton-watch-remote-'), 'service');
    const remote = await startGitHttpServer(path.join(temporaryFolder('baton-watch-remote-'), 'service.git'), { username: 'baton', password: 'remote-token' });
    fs.mkdirSync(dir, { recursive: true });
    const sh = (...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.name=dev', '-c', 'user.email=dev@example.com', ...args]);
    const commit = (file: string, content: string | Buffer, message: string) => {
      fs.writeFileSync(path.join(dir, file), content);
      sh('add', file);
      sh('commit', '-q', '-m', message);
    };
    const score = (resources: string) =>
      `apiVersion: score.dev/v1b1\nmetadata: { name: web }\ncontainers:\n  main: { image: web }\nresources:\n${resources}`;
    sh('init', '-q', '--initial-branch=main');
    // A history that costs something to download: 1 MB that does not compress.
    for (let i = 0; i < 4; i++) commit(`asset-${i}.bin`, randomBytes(256 * 1024), `asset ${i}`);
    commit('score.yaml', score('  db: { type: postgres }\n'), 'first version');
    sh('push', '-q', remote.gitDir, 'main');

    const { api, waitForDeployment, stop } = await createTestOrchestrator({
      definitions,
      orchestrator: {
        gitWatch: { intervalSeconds: 3600, repositories: [{ url: remote.url, app: 'shop', branches: { main: 'dev' }, username: 'baton', token: 'remote-token' }] },
      },
      environments: { 'shop/dev': 'development' },
    });
    const poll = async () => (await api.post('/api/orchestrator/webhooks/git').send({ repository: { clone_url: remote.url } }).expect(202)).body.queued as string[];
    const downloaded = (from: number) => remote.uploadPackBytes.slice(from).reduce((a, b) => a + b, 0);
    // The watcher's first scheduled poll may have come first: either one deployed the first version.
    await poll();
    const deployments = async () => (await api.get('/api/orchestrator/apps/shop/envs/dev/deployments').expect(200)).body.items as { id: string }[];
    expect(await deployments()).toHaveLength(1);
    expect((await waitForDeployment('shop', 'dev', (await deployments())[0].id)).status).toBe('succeeded');
    expect(downloaded(0)).toBeGreaterThan(1024 * 1024);

    commit('score.yaml', score('  db: { type: postgres }\n  assets: { type: s3 }\n'), 'add a bucket');
    sh('push', '-q', remote.gitDir, 'main');
    const before = remote.uploadPackBytes.length;
    const queued = await poll();
    expect(queued).toHaveLength(1);
    expect((await waitForDeployment('shop', 'dev', queued[0])).status).toBe('succeeded');
    // The new commit's objects and the negotiation: a few KB, not the megabyte of history.
    expect(downloaded(before)).toBeLessThan(64 * 1024);
    await stop();
    await remote.close();
  });
});

describe('GitWatcher following apps', () => {
  /** A repository whose one commit has a Score file. */
  async function createRepository() {
    const root = temporaryFolder('baton-watch-');
    const repo = path.join(root, 'service');
    await git.init({ fs, dir: repo, defaultBranch: 'main' });
    fs.writeFileSync(
      path.join(repo, 'score.yaml'),
      'apiVersion: score.dev/v1b1\nmetadata: { name: web }\ncontainers:\n  main: { image: web }\nresources:\n  db: { type: postgres }\n',
    );
    await git.add({ fs, dir: repo, filepath: 'score.yaml' });
    const head = await git.commit({ fs, dir: repo, message: 'first', author: { name: 'dev', email: 'dev@example.com' } });
    return { root, repo, head };
  }

  async function setUp(gitWatch: { webhookSecret?: string } = {}) {
    const { repo, head } = await createRepository();
    const { api, stop } = await createTestOrchestrator({ definitions, orchestrator: { gitWatch }, envTypes: ['development'] });
    return { repo, head, api, stop };
  }

  it('follows the repository an app names at once, and shows what it watches', async () => {
    const { repo, head, api, stop } = await setUp();
    // No repository configured: nothing is watched yet.
    expect((await api.post('/api/orchestrator/webhooks/git').send({ repository: repo }).expect(202)).body.queued).toEqual([]);

    await api
      .put('/api/orchestrator/apps/shop')
      .send({ title: 'Shop', repository: { url: repo, branches: { main: 'dev' } } })
      .expect(200);
    await api.put('/api/orchestrator/apps/shop/envs/dev').send({ type: 'development' }).expect(200);
    const pushed = await api.post('/api/orchestrator/webhooks/git').send({ repository: repo }).expect(202);
    expect(pushed.body.queued).toHaveLength(1);

    const app = await api.get('/api/orchestrator/apps/shop').expect(200);
    expect(app.body.repository).toEqual({ url: repo, branches: { main: 'dev' } });
    expect(app.body.watch).toEqual([{ repository: repo, source: 'app', branch: 'main', environment: 'dev', lastCommit: head }]);

    // Updating the title keeps the repository; null stops watching.
    await api.put('/api/orchestrator/apps/shop').send({ title: 'The shop' }).expect(200);
    expect((await api.get('/api/orchestrator/apps/shop')).body.repository.url).toBe(repo);
    await api.put('/api/orchestrator/apps/shop').send({ repository: null }).expect(200);
    expect((await api.get('/api/orchestrator/apps/shop')).body.watch).toEqual([]);

    const bad = await api.put('/api/orchestrator/apps/shop').send({ repository: { url: repo, branches: {} } }).expect(400);
    expect(JSON.stringify(bad.body)).toMatch(/branches/);
    await stop();
  });

  it('follows a repository added to the configuration file, without a restart', async () => {
    const { root, repo } = await createRepository();
    fs.writeFileSync(path.join(root, 'definitions.yaml'), definitions);
    const configFile = path.join(root, 'app-config.yaml');
    const writeConfig = (repositories: unknown[]) =>
      fs.writeFileSync(
        configFile,
        JSON.stringify({
          orchestrator: {
            dataDir: path.join(root, 'data2'),
            definitions: [path.join(root, 'definitions.yaml')],
            gitWatch: { repositories },
          },
        }),
      );
    writeConfig([]);
    const backend = await startTestBackend({
      features: [orchestratorPlugin, rootConfigServiceFactory({ argv: ['--config', configFile], watch: true })],
    });
    const api = request(backend.server);
    await api.put('/api/orchestrator/env-types/development').send({}).expect(200);
    await api.put('/api/orchestrator/apps/shop').send({}).expect(200);
    await api.put('/api/orchestrator/apps/shop/envs/dev').send({ type: 'development' }).expect(200);
    expect((await api.post('/api/orchestrator/webhooks/git').send({ repository: repo })).body.queued).toEqual([]);

    writeConfig([{ url: repo, app: 'shop', branches: { main: 'dev' } }]);
    let queued: string[] = [];
    // Until the file watcher has read the change: the test's timeout is the limit.
    while (!queued.length) {
      await new Promise(r => setTimeout(r, 100));
      queued = (await api.post('/api/orchestrator/webhooks/git').send({ repository: repo })).body.queued;
    }
    expect(queued).toHaveLength(1);
    expect((await api.get('/api/orchestrator/apps/shop')).body.watch).toEqual([
      expect.objectContaining({ repository: repo, source: 'config', branch: 'main', environment: 'dev' }),
    ]);
    await backend.stop();
  });

  it('accepts GitHub and GitLab push events signed with the secret, and answers 401 otherwise', async () => {
    const secret = 'webhook-secret-for-tests';
    const { repo, api, stop } = await setUp({ webhookSecret: secret });
    const url = 'https://github.com/acme/shop.git';
    await api.put('/api/orchestrator/apps/shop').send({ repository: { url: repo, branches: { main: 'dev' } } }).expect(200);
    await api.put('/api/orchestrator/apps/shop/envs/dev').send({ type: 'development' }).expect(200);

    // GitHub's push event, as its documentation shapes it (trimmed).
    const github = JSON.stringify({
      ref: 'refs/heads/main',
      after: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
      repository: { full_name: 'acme/shop', clone_url: url, ssh_url: 'git@github.com:acme/shop.git', html_url: 'https://github.com/acme/shop' },
      pusher: { name: 'dev' },
    });
    const sign = (body: string, key: string) => `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
    const post = () => api.post('/api/orchestrator/webhooks/git').set('Content-Type', 'application/json');
    await post().set('X-GitHub-Event', 'push').set('X-Hub-Signature-256', sign(github, 'wrong')).send(github).expect(401);
    await post().set('X-GitHub-Event', 'push').send(github).expect(401);
    // Signed, but about a repository no app names: nothing to deploy.
    const signed = await post().set('X-GitHub-Event', 'push').set('X-Hub-Signature-256', sign(github, secret)).send(github).expect(202);
    expect(signed.body.queued).toEqual([]);

    // GitLab's push hook, about the app's repository.
    const gitlab = {
      object_kind: 'push',
      ref: 'refs/heads/main',
      project: { path_with_namespace: 'acme/shop', git_http_url: repo, git_ssh_url: 'git@gitlab.example.com:acme/shop.git', web_url: 'https://gitlab.example.com/acme/shop' },
      repository: { name: 'shop', git_http_url: repo },
    };
    await post().set('X-Gitlab-Event', 'Push Hook').set('X-Gitlab-Token', 'wrong').send(gitlab).expect(401);
    const accepted = await post().set('X-Gitlab-Event', 'Push Hook').set('X-Gitlab-Token', secret).send(gitlab).expect(202);
    expect(accepted.body.queued).toHaveLength(1);
    // The error says what is wrong, never the secret.
    const refused = await post().set('X-Gitlab-Event', 'Push Hook').set('X-Gitlab-Token', 'wrong').send(gitlab);
    expect(JSON.stringify(refused.body)).not.toContain(secret);
    await stop();
  });
});
