import { TestDatabases } from '@backstage/backend-test-utils';
import git from 'isomorphic-git';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ORCHESTRATOR_ENVIRONMENT_EVENTS_TOPIC } from '@baton/backstage-plugin-orchestrator-common';
import { collectedEvents } from '../__testUtils__/collectedEvents';
import { createTestOrchestrator } from '../__testUtils__/createTestOrchestrator';
import { startGitHttpServer } from '../__testUtils__/gitHttpServer';
import { temporaryFolder } from '../__testUtils__/temporaryFolder';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';
import { until } from '../__testUtils__/until';
import { previewEnvironmentId } from './PreviewEnvironments';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: testDatabaseIds });
const secret = 'preview-webhook-secret';
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
const score = (resources: string) =>
  `apiVersion: score.dev/v1b1\nmetadata: { name: web }\ncontainers:\n  main: { image: web }\nresources:\n${resources}`;

async function createRepository() {
  const dir = path.join(temporaryFolder('baton-preview-'), 'service');
  await git.init({ fs, dir, defaultBranch: 'main' });
  const commit = async (content: string, message: string) => {
    fs.writeFileSync(path.join(dir, 'score.yaml'), content);
    await git.add({ fs, dir, filepath: 'score.yaml' });
    return git.commit({ fs, dir, message, author: { name: 'dev', email: 'dev@example.com' } });
  };
  await commit(score('  db: { type: postgres }\n'), 'first version');
  return { dir, commit };
}

describe('previewEnvironmentId', () => {
  it('names a pull request by its number and a branch by its name', () => {
    expect(previewEnvironmentId({ number: 42, branch: 'feature/login' })).toBe('pr-42');
    expect(previewEnvironmentId({ branch: 'preview/Login_Page' })).toBe('pr-preview-login-page');
  });
});

describe.each(databases.eachSupportedId())('preview environments (%s)', id => {
  async function setUp() {
    const repo = await createRepository();
    const knex = await databases.init(id);
    const events: any[] = [];
    const orchestrator = await createTestOrchestrator({
      knex,
      definitions,
      features: [collectedEvents(ORCHESTRATOR_ENVIRONMENT_EVENTS_TOPIC, events)],
      // Polled when the tests say (webhooks), not on the watcher's schedule.
      orchestrator: { gitWatch: { webhookSecret: secret, intervalSeconds: 3600 }, environments: { expiryCheckSeconds: 3600 } },
      envTypes: ['development'],
    });
    const { api } = orchestrator;
    await api.put('/api/orchestrator/apps/shop').send({ repository: { url: repo.dir, branches: { main: 'development' } } }).expect(200);
    await api.put('/api/orchestrator/apps/shop/envs/development').send({ type: 'development', deployMode: 'direct' }).expect(200);
    const sign = (body: string, key = secret) => `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
    const pullRequest = (action: string, options: { repository?: string; number?: number; branch?: string } = {}) =>
      JSON.stringify({
        action,
        number: options.number ?? 42,
        pull_request: { number: options.number ?? 42, head: { ref: options.branch ?? 'feature/login' }, html_url: 'https://github.com/acme/shop/pull/42' },
        repository: { clone_url: options.repository ?? repo.dir },
      });
    const send = (body: string, signature: string | null = sign(body)) => {
      const req = api.post('/api/orchestrator/webhooks/git').set('Content-Type', 'application/json').set('X-GitHub-Event', 'pull_request');
      return (signature ? req.set('X-Hub-Signature-256', signature) : req).send(body);
    };
    /** A signed notification that the repository changed. */
    const push = () => {
      const body = JSON.stringify({ repository: repo.dir });
      return api.post('/api/orchestrator/webhooks/git').set('Content-Type', 'application/json').set('X-Hub-Signature-256', sign(body)).send(body).expect(202);
    };
    const resources = async (env: string) => {
      const res = await api.get(`/api/orchestrator/apps/shop/envs/${env}/resources`);
      return res.status === 200 ? (res.body as { type: string }[]).map(r => r.type).sort() : res.status;
    };
    return { ...orchestrator, repo, send, push, pullRequest, sign, resources, events };
  }

  it('open a pull request preview, redeploy it on synchronize and remove it with its resources when closed', async () => {
    const { api, repo, send, push, pullRequest, sign, waitForDeployment, resources, events, stop } = await setUp();
    const main = await push();
    expect((await waitForDeployment('shop', 'development', main.body.queued[0])).status).toBe('succeeded');
    await git.branch({ fs, dir: repo.dir, ref: 'feature/login', checkout: true });
    await repo.commit(score('  db: { type: postgres }\n'), 'login page');

    // Unsigned, wrongly signed, about a repository no app watches, not a request: refused, nothing created.
    const opened = pullRequest('opened');
    expect((await send(opened, null)).status).toBe(401);
    expect((await send(opened, sign(opened, 'wrong'))).status).toBe(401);
    const elsewhere = await send(pullRequest('opened', { repository: 'https://github.com/acme/unwatched.git' }));
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.error.message).toBe('No app watches https://github.com/acme/unwatched.git; pull request #42 was ignored');
    const noBranch = JSON.stringify({ action: 'opened', number: 42, pull_request: {}, repository: { clone_url: repo.dir } });
    expect((await send(noBranch)).body.error.message).toBe('pull_request.head.ref must name the request\'s branch');
    await api.get('/api/orchestrator/apps/shop/envs/pr-42').expect(404);

    const created = await send(opened).expect(202);
    expect(created.body.previews).toEqual(['shop/pr-42']);
    expect(created.body.queued).toHaveLength(1);
    expect((await waitForDeployment('shop', 'pr-42', created.body.queued[0])).status).toBe('succeeded');
    const env = (await api.get('/api/orchestrator/apps/shop/envs').expect(200)).body.items.find((e: { id: string }) => e.id === 'pr-42');
    expect(env).toMatchObject({
      type: 'preview',
      clonedFrom: 'development',
      deployMode: 'direct',
      ttl: 'P3D',
      preview: { source: '#42', branch: 'feature/login', url: 'https://github.com/acme/shop/pull/42' },
    });
    expect(Date.parse(env.expiresAt)).toBeGreaterThan(Date.now() + 3 * 86_400_000 - 60_000);
    expect(events).toEqual([{ type: 'environment.preview-created', app: 'shop', env: 'pr-42', source: '#42', expiresAt: env.expiresAt }]);
    expect(await resources('pr-42')).toEqual(['k8s-namespace', 'postgres', 'workload']);

    // A push to the branch: synchronize redeploys it.
    await repo.commit(score('  db: { type: postgres }\n  assets: { type: s3 }\n'), 'add a bucket');
    const synchronized = await send(pullRequest('synchronize')).expect(202);
    expect(synchronized.body.queued).toHaveLength(1);
    expect((await waitForDeployment('shop', 'pr-42', synchronized.body.queued[0])).status).toBe('succeeded');
    expect(await resources('pr-42')).toEqual(['k8s-namespace', 'postgres', 's3', 'workload']);
    const labeled = await send(pullRequest('labeled')).expect(202);
    expect(labeled.body).toMatchObject({ queued: [], previews: [] });

    const closed = await send(pullRequest('closed')).expect(202);
    expect(closed.body.previews).toEqual(['shop/pr-42']);
    await until(async () => (await api.get('/api/orchestrator/apps/shop/envs/pr-42')).status === 404);
    expect(await resources('pr-42')).toBe(404);
    // Opened once; a closed preview did not expire.
    expect(events.map(e => e.type)).toEqual(['environment.preview-created']);
    // The environment it was cloned from is untouched.
    expect(await resources('development')).toEqual(['k8s-namespace', 'postgres', 'workload']);
    await stop();
  });

  it('open a preview for a local preview/* branch, and remove it when the branch is deleted', async () => {
    const { api, repo, push, resources, stop } = await setUp();
    await git.branch({ fs, dir: repo.dir, ref: 'preview/login' });
    const polled = await push();
    // main to development, preview/login to its preview.
    expect(polled.body.queued).toHaveLength(2);
    const env = await api.get('/api/orchestrator/apps/shop/envs/pr-preview-login').expect(200);
    expect(env.body).toMatchObject({ type: 'preview', preview: { source: 'preview/login', branch: 'preview/login' }, ttl: 'P3D' });
    await until(async () => {
      const list = await api.get('/api/orchestrator/apps/shop/envs/pr-preview-login/deployments').expect(200);
      return list.body.items[0]?.status === 'succeeded';
    });
    expect(await resources('pr-preview-login')).toEqual(['k8s-namespace', 'postgres', 'workload']);
    // Its time to live shortened, then polled again with nothing new: no second preview, no deployment, no renewal.
    const shortened = await api.put('/api/orchestrator/apps/shop/envs/pr-preview-login').send({ type: 'preview', ttl: 'PT1H' }).expect(200);
    expect((await push()).body.queued).toEqual([]);
    expect((await api.get('/api/orchestrator/apps/shop/envs/pr-preview-login').expect(200)).body).toMatchObject({ ttl: 'PT1H', expiresAt: shortened.body.expiresAt });

    // A push to its branch, even one changing no Score file, starts its time to live again.
    await git.checkout({ fs, dir: repo.dir, ref: 'preview/login' });
    fs.writeFileSync(path.join(repo.dir, 'README.md'), '# shop\n');
    await git.add({ fs, dir: repo.dir, filepath: 'README.md' });
    await git.commit({ fs, dir: repo.dir, message: 'docs', author: { name: 'dev', email: 'dev@example.com' } });
    await git.checkout({ fs, dir: repo.dir, ref: 'main' });
    const pushedAt = Date.now();
    expect((await push()).body.queued).toEqual([]);
    const renewed = (await api.get('/api/orchestrator/apps/shop/envs/pr-preview-login').expect(200)).body;
    expect(renewed.ttl).toBe('P3D');
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThanOrEqual(pushedAt + 3 * 86_400_000);

    await git.deleteBranch({ fs, dir: repo.dir, ref: 'preview/login' });
    await push();
    await until(async () => (await api.get('/api/orchestrator/apps/shop/envs/pr-preview-login')).status === 404);
    expect(await resources('pr-preview-login')).toBe(404);
    expect(await resources('development')).toEqual(['k8s-namespace', 'postgres', 'workload']);
    await stop();
  });

  it('follow GitLab merge requests: opened with the token, removed when merged', async () => {
    const { api, repo, stop } = await setUp();
    await git.branch({ fs, dir: repo.dir, ref: 'feature/cache' });
    const hook = (action: string) =>
      JSON.stringify({
        object_kind: 'merge_request',
        project: { git_http_url: repo.dir },
        object_attributes: { iid: 7, action, source_branch: 'feature/cache', url: 'https://gitlab.example.com/acme/shop/-/merge_requests/7' },
      });
    const send = (body: string, token: string) =>
      api.post('/api/orchestrator/webhooks/git').set('Content-Type', 'application/json').set('X-Gitlab-Event', 'Merge Request Hook').set('X-Gitlab-Token', token).send(body);
    expect((await send(hook('open'), 'not-the-secret')).status).toBe(401);
    const opened = await send(hook('open'), secret).expect(202);
    expect(opened.body.previews).toEqual(['shop/pr-7']);
    const preview = await api.get('/api/orchestrator/apps/shop/envs/pr-7').expect(200);
    expect(preview.body.preview).toEqual({ source: '#7', branch: 'feature/cache', url: 'https://gitlab.example.com/acme/shop/-/merge_requests/7' });
    // The branch is deployed to it (main to development too: the first poll of the repository).
    expect(opened.body.queued).toHaveLength(2);
    await until(async () => {
      const list = await api.get('/api/orchestrator/apps/shop/envs/pr-7/deployments').expect(200);
      return list.body.items[0]?.status === 'succeeded';
    });

    await send(hook('merge'), secret).expect(202);
    await until(async () => (await api.get('/api/orchestrator/apps/shop/envs/pr-7')).status === 404);
    await stop();
  });

  /** An orchestrator whose app `shop` watches a remote repository's main branch, and a way to notify it as GitHub would. */
  async function watchRemote(url: string) {
    const orchestrator = await createTestOrchestrator({
      knex: await databases.init(id),
      definitions,
      orchestrator: {
        gitWatch: { intervalSeconds: 3600, repositories: [{ url, app: 'shop', branches: { main: 'development' }, username: 'baton', token: 'remote-token' }] },
        environments: { expiryCheckSeconds: 3600 },
      },
      environments: { 'shop/development': 'development' },
    });
    const notify = (body: object, event: string) =>
      orchestrator.api.post('/api/orchestrator/webhooks/git').set('X-GitHub-Event', event).send(body).expect(202);
    return { ...orchestrator, notify };
  }

  it('fetch a remote repository\'s pull request branch, and keep polling it once that branch is gone', async () => {
    const repo = await createRepository();
    const remote = await startGitHttpServer(path.join(temporaryFolder('baton-preview-remote-'), 'shop.git'), { username: 'baton', password: 'remote-token' });
    const pushTo = (...refs: string[]) => execFileSync('git', ['-C', repo.dir, 'push', '-q', remote.gitDir, ...refs]);
    await git.branch({ fs, dir: repo.dir, ref: 'feature/remote' });
    pushTo('main', 'feature/remote');
    const { api, waitForDeployment, notify, stop } = await watchRemote(remote.url);
    const pullRequest = (action: string) => ({ action, number: 5, pull_request: { head: { ref: 'feature/remote' } }, repository: { clone_url: remote.url } });

    const opened = await notify(pullRequest('opened'), 'pull_request');
    expect(opened.body.previews).toEqual(['shop/pr-5']);
    for (const queued of opened.body.queued) {
      const env = (await api.get('/api/orchestrator/apps/shop/envs/pr-5/deployments').expect(200)).body.items.some((d: { id: string }) => d.id === queued) ? 'pr-5' : 'development';
      expect((await waitForDeployment('shop', env, queued)).status).toBe('succeeded');
    }
    expect((await api.get('/api/orchestrator/apps/shop/envs/pr-5/deployments').expect(200)).body.items).toHaveLength(1);

    // Merged and its branch deleted before the closing event: main still deploys.
    execFileSync('git', ['--git-dir', remote.gitDir, 'branch', '-D', 'feature/remote']);
    await repo.commit(score('  db: { type: postgres }\n  assets: { type: s3 }\n'), 'add a bucket');
    pushTo('main');
    const pushed = await notify({ repository: { clone_url: remote.url } }, 'push');
    expect(pushed.body.queued).toHaveLength(1);
    expect((await waitForDeployment('shop', 'development', pushed.body.queued[0])).status).toBe('succeeded');

    await notify(pullRequest('closed'), 'pull_request');
    await until(async () => (await api.get('/api/orchestrator/apps/shop/envs/pr-5')).status === 404);
    await stop();
    await remote.close();
  });

  it('fetch a pull request from a fork by the ref its head is kept at, redeploy it on synchronize and remove it when closed', async () => {
    const repo = await createRepository();
    const remote = await startGitHttpServer(path.join(temporaryFolder('baton-preview-fork-'), 'shop.git'), { username: 'baton', password: 'remote-token' });
    const pushTo = (...refs: string[]) => execFileSync('git', ['-C', repo.dir, 'push', '-q', remote.gitDir, ...refs]);
    pushTo('main');
    // The fork's branch is not in the repository: only the pull request's head is, as GitHub keeps it.
    await git.branch({ fs, dir: repo.dir, ref: 'feature/fork', checkout: true });
    const first = await repo.commit(score('  db: { type: postgres }\n  cache: { type: postgres }\n'), 'a cache');
    pushTo('feature/fork:refs/pull/6/head');
    expect(execFileSync('git', ['--git-dir', remote.gitDir, 'for-each-ref', '--format=%(refname)']).toString().trim().split('\n')).toEqual([
      'refs/heads/main',
      'refs/pull/6/head',
    ]);
    const { api, waitForDeployment, notify, stop } = await watchRemote(remote.url);
    const pullRequest = (action: string) => ({
      action,
      number: 6,
      pull_request: {
        head: { ref: 'feature/fork', repo: { clone_url: 'https://github.com/fork/shop.git' } },
        base: { ref: 'main', repo: { clone_url: remote.url } },
      },
      repository: { clone_url: remote.url },
    });
    const previewDeployments = async () => (await api.get('/api/orchestrator/apps/shop/envs/pr-6/deployments').expect(200)).body.items as { id: string; comment: string }[];
    const resources = async () => (await api.get('/api/orchestrator/apps/shop/envs/pr-6/resources').expect(200)).body.map((r: { type: string }) => r.type).sort();

    const opened = await notify(pullRequest('opened'), 'pull_request');
    expect(opened.body.previews).toEqual(['shop/pr-6']);
    expect(opened.body.queued).toHaveLength(2);
    const [deployed] = await previewDeployments();
    expect(opened.body.queued).toContain(deployed.id);
    expect((await waitForDeployment('shop', 'pr-6', deployed.id)).status).toBe('succeeded');
    // The branch is what the preview shows and its deployment names.
    expect(deployed.comment).toBe(`git ${first.slice(0, 12)} on feature/fork: a cache`);
    expect((await api.get('/api/orchestrator/apps/shop/envs/pr-6').expect(200)).body.preview).toEqual({ source: '#6', branch: 'feature/fork' });
    expect(await resources()).toEqual(['k8s-namespace', 'postgres', 'postgres', 'workload']);

    // Pushed to the fork: the pull request's head moves, synchronize redeploys it.
    const second = await repo.commit(score('  db: { type: postgres }\n  cache: { type: postgres }\n  assets: { type: s3 }\n'), 'a bucket');
    pushTo('feature/fork:refs/pull/6/head');
    const synchronized = await notify(pullRequest('synchronize'), 'pull_request');
    expect(synchronized.body.queued).toHaveLength(1);
    expect((await waitForDeployment('shop', 'pr-6', synchronized.body.queued[0])).comment).toBe(`git ${second.slice(0, 12)} on feature/fork: a bucket`);
    expect(await resources()).toEqual(['k8s-namespace', 'postgres', 'postgres', 's3', 'workload']);
    expect(await previewDeployments()).toHaveLength(2);

    await notify(pullRequest('closed'), 'pull_request');
    await until(async () => (await api.get('/api/orchestrator/apps/shop/envs/pr-6')).status === 404);
    await stop();
    await remote.close();
  });

  it('keep a preview whose deployment failed, marked failed, until its pull request closes', async () => {
    const { api, repo, send, push, pullRequest, waitForDeployment, stop } = await setUp();
    await push();
    await git.branch({ fs, dir: repo.dir, ref: 'feature/login', checkout: true });
    // No definition provisions a queue: the deployment fails.
    await repo.commit(score('  events: { type: amqp }\n'), 'a queue');
    const created = await send(pullRequest('opened')).expect(202);
    const failed = await waitForDeployment('shop', 'pr-42', created.body.queued[0]);
    expect(failed.status).toBe('failed');
    const env = await api.get('/api/orchestrator/apps/shop/envs/pr-42').expect(200);
    expect(env.body.preview.source).toBe('#42');
    // Reopened while it is there: the same preview, its time to live starting again.
    const reopened = await send(pullRequest('reopened')).expect(202);
    expect(reopened.body.previews).toEqual(['shop/pr-42']);

    await send(pullRequest('closed')).expect(202);
    await until(async () => (await api.get('/api/orchestrator/apps/shop/envs/pr-42')).status === 404);
    await stop();
  });
});
