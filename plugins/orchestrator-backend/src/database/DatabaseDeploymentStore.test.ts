import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { randomUUID } from 'node:crypto';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';
import { DatabaseDeploymentStore } from './DatabaseDeploymentStore';
import { DeploymentStore } from './DeploymentStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: testDatabaseIds });
const migrationsDir = resolvePackagePath('@baton/backstage-plugin-orchestrator-backend', 'migrations');

describe.each(databases.eachSupportedId())('DatabaseDeploymentStore (%s)', id => {
  async function createStore() {
    const knex = await databases.init(id);
    await knex.migrate.latest({ directory: migrationsDir });
    return { knex, store: await DatabaseDeploymentStore.create({ database: { getClient: async () => knex } }) };
  }

  async function queue(store: DeploymentStore, appId: string, envId: string) {
    await store.putSet({ id: 'set-1', appId, content: { workloads: [] } });
    return store.createDeployment({ id: randomUUID(), appId, envId, setId: 'set-1', createdBy: 'user:default/guest' });
  }

  it('never hands out a deployment awaiting approval, queues it once approved, and keeps a terminal status', async () => {
    const { store } = await createStore();
    await store.putSet({ id: 'set-1', appId: 'shop', content: { workloads: [] } });
    const waiting = (envId: string) =>
      store.createDeployment({ id: randomUUID(), appId: 'shop', envId, setId: 'set-1', createdBy: 'user:default/guest', status: 'awaiting-approval' });
    const approved = await waiting('prod');
    const rejected = await waiting('qa');
    expect(approved.status).toBe('awaiting-approval');
    expect(await store.claimNext('backend-a')).toBeUndefined();

    expect(await store.decideApproval(rejected.id, { status: 'rejected', decidedBy: 'user:default/alice', comment: 'no' })).toBe(true);
    expect(await store.decideApproval(rejected.id, { status: 'queued', decidedBy: 'user:default/alice' })).toBe(false);
    expect(await store.claimNext('backend-a')).toBeUndefined();
    expect(await store.getDeployment(rejected.id)).toMatchObject({ status: 'rejected', decidedBy: 'user:default/alice', decisionComment: 'no' });

    expect(await store.decideApproval(approved.id, { status: 'queued', decidedBy: 'user:default/alice' })).toBe(true);
    const claimed = await store.claimNext('backend-a');
    expect(claimed).toMatchObject({ id: approved.id, status: 'running', decidedBy: 'user:default/alice' });
    expect(await store.finishDeployment(approved.id, 'backend-a', { status: 'succeeded' })).toBe(true);
    expect(await store.decideApproval(approved.id, { status: 'rejected', decidedBy: 'user:default/bob' })).toBe(false);
    expect(await store.getDeployment(approved.id)).toMatchObject({ status: 'succeeded', decidedBy: 'user:default/alice' });

    // A newer request supersedes only the older waiting ones of its environment.
    const older = await waiting('prod');
    const otherEnv = await waiting('qa');
    const newer = await waiting('prod');
    expect(await store.supersedeAwaitingApproval('shop', 'prod', newer.id)).toEqual([older.id]);
    expect(await store.getDeployment(older.id)).toMatchObject({ status: 'cancelled', error: `Superseded by deployment ${newer.id}, requested later for the same environment` });
    expect((await store.getDeployment(otherEnv.id))?.status).toBe('awaiting-approval');
    expect((await store.getDeployment(newer.id))?.status).toBe('awaiting-approval');
    const listed = await store.listAllDeployments({ status: 'awaiting-approval', limit: 10 });
    expect(listed.items.map(d => d.id)).toEqual([newer.id, otherEnv.id]);
  });

  it('writes a big deployment\'s nodes, log and resources in one transaction each while timers keep running', async () => {
    const { store } = await createStore();
    const d = await queue(store, 'shop', 'dev');
    const uids = Array.from({ length: 6000 }, (_, i) => `postgres.default#modules.w${i}.externals.db`);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      await store.setNodes(d.id, uids.map(uid => ({ uid, status: 'pending' })));
      await store.recordProgress(d.id, {
        nodes: uids.map(uid => ({ uid, status: 'succeeded' })),
        log: uids.map(uid => ({ level: 'info', uid, message: `${uid}: succeeded` })),
      });
      await store.putResources(
        uids.map(uid => ({
          appId: 'shop',
          envId: 'dev',
          uid,
          resId: uid.split('#')[1],
          type: 'postgres',
          class: 'default',
          guresid: uid,
          definitionId: 'pg',
          definitionRevision: 1,
          status: 'active' as const,
          outputs: { host: 'pg' },
          deploymentId: d.id,
          workloads: [],
        })),
      );
      // The timer ran while the writes were going on, not only once they were done.
      expect(ticks).toBeGreaterThan(0);
    } finally {
      clearInterval(timer);
    }
    expect((await store.listNodes(d.id)).filter(n => n.status === 'succeeded')).toHaveLength(6000);
    // Read back in pages: each resource once, in uid order.
    const listed = (await store.listResources('shop', 'dev')).map(r => r.uid);
    expect(listed).toEqual([...uids].sort());
  });

  it('keeps a set compressed when big, and hands the runner the set it was given without reading it back', async () => {
    const { knex, store } = await createStore();
    const workloads = Array.from({ length: 1000 }, (_, i) => ({ apiVersion: 'score.dev/v1b1', metadata: { name: `svc-${i}` }, containers: { main: { image: `svc:${i}` } } }));
    await store.putSet({ id: 'big-set', appId: 'shop', content: { workloads } });
    const row = await knex('deployment_sets').where({ id: 'big-set' }).first();
    expect(row.content.startsWith('gzip:')).toBe(true);
    expect(row.content.length).toBeLessThan(JSON.stringify({ workloads }).length / 5);
    // Another replica reads it from the database.
    const replica = await DatabaseDeploymentStore.create({ database: { getClient: async () => knex } });
    expect(await replica.getSet('big-set')).toEqual({ workloads });
    // This one, from memory once, then from the database.
    expect(await store.getSet('big-set')).toEqual({ workloads });
    await knex('deployment_sets').where({ id: 'big-set' }).update({ content: JSON.stringify({ workloads: [] }) });
    expect(await store.getSet('big-set')).toEqual({ workloads: [] });
    expect(await store.getSet('no-such-set')).toBeUndefined();
  });

  it('lists resources across environments with their secret output names and without the drivers\' state', async () => {
    const { knex, store } = await createStore();
    const base = { appId: 'shop', envId: 'dev', class: 'default', definitionId: 'pg', definitionRevision: 1, status: 'active' as const, outputs: { host: 'h' } };
    await store.putResources([
      { ...base, uid: 'postgres.default#a', resId: 'a', type: 'postgres', guresid: 'g-a', secretOutputs: 'v1:ct-a', secretOutputNames: ['password', 'username'], cookie: 'v1:cookie', provisionedWith: 'v1:with' },
      { ...base, uid: 'redis.default#b', resId: 'b', type: 'redis', guresid: 'g-b' },
    ]);
    const row = await knex('active_resources').where({ uid: 'postgres.default#a' }).first();
    expect(JSON.parse(row.secret_output_names)).toEqual(['password', 'username']);

    const { items } = await store.listAllResources({ limit: 10 });
    expect(items[0]).toMatchObject({ uid: 'postgres.default#a', secretOutputs: 'v1:ct-a', secretOutputNames: ['password', 'username'] });
    expect(items[0].cookie).toBeUndefined();
    expect(items[0].provisionedWith).toBeUndefined();
    expect(items[1].secretOutputNames).toBeUndefined();
    // A deployment reads the drivers' state.
    const [a] = await store.listResources('shop', 'dev');
    expect(a).toMatchObject({ cookie: 'v1:cookie', provisionedWith: 'v1:with', secretOutputNames: ['password', 'username'] });
  });

  it('runs one deployment at a time per environment, in request order', async () => {
    const { store } = await createStore();
    const a1 = await queue(store, 'shop', 'dev');
    const a2 = await queue(store, 'shop', 'dev');
    const b1 = await queue(store, 'shop', 'prod');

    const first = await store.claimNext('replica-1');
    const second = await store.claimNext('replica-2');
    expect(first?.id).toBe(a1.id);
    expect(first?.status).toBe('running');
    expect(second?.id).toBe(b1.id); // dev is locked, prod is free
    expect(await store.claimNext('replica-2')).toBeUndefined();

    await store.finishDeployment(a1.id, 'replica-1', { status: 'succeeded', commit: 'abc' });
    const third = await store.claimNext('replica-2');
    expect(third?.id).toBe(a2.id);
    expect((await store.getLastSucceeded('shop', 'dev'))?.id).toBe(a1.id);
  });

  it('never changes a terminal status, and a runner that lost its lock cannot finish', async () => {
    const { store } = await createStore();
    const d = await queue(store, 'shop', 'dev');
    await store.claimNext('replica-1');
    // replica-1 stalls; its lock goes stale and replica-2 takes the deployment over.
    expect(await store.takeOverAbandoned({ owner: 'replica-2', staleAfterMs: -1, maxInterruptions: 3 })).toEqual([
      { id: d.id, owner: 'replica-1', outcome: 'queued', interruptions: 1 },
    ]);
    expect(await store.renewLock(d.id, 'replica-1')).toBe(false);
    expect(await store.finishDeployment(d.id, 'replica-1', { status: 'succeeded', commit: 'late' })).toBe(false);
    const after = await store.getDeployment(d.id);
    expect(after?.status).toBe('queued');
    expect(after?.commit).toBeUndefined();

    // replica-2 runs it now: the old runner cannot release the environment either.
    const newer = await queue(store, 'shop', 'dev');
    expect((await store.claimNext('replica-2'))?.id).toBe(d.id);
    expect(await store.finishDeployment(d.id, 'replica-1', { status: 'failed' })).toBe(false);
    expect(await store.finishDeployment(d.id, 'replica-2', { status: 'succeeded' })).toBe(true);
    expect((await store.claimNext('replica-2'))?.id).toBe(newer.id);
    expect(await store.finishDeployment(d.id, 'replica-1', { status: 'failed' })).toBe(false);
    expect(await store.renewLock(newer.id, 'replica-2')).toBe(true);
    expect(await store.finishDeployment(newer.id, 'replica-2', { status: 'succeeded' })).toBe(true);
    expect(await store.finishDeployment(newer.id, 'replica-2', { status: 'failed' })).toBe(false);
    expect((await store.getDeployment(newer.id))?.status).toBe('succeeded');
  });

  it('finds stale locks without an owner, as the periodic check does', async () => {
    const { store } = await createStore();
    const d = await queue(store, 'shop', 'dev');
    await store.claimNext('replica-1');
    expect(await store.takeOverAbandoned({ staleAfterMs: 60_000, maxInterruptions: 3 })).toEqual([]);
    expect((await store.takeOverAbandoned({ staleAfterMs: -1, maxInterruptions: 3 })).map(a => a.id)).toEqual([d.id]);
    expect((await store.getDeployment(d.id))?.status).toBe('queued');
  });

  it('does not fail a stale-looking deployment that is alive in this process', async () => {
    const { store } = await createStore();
    const d = await queue(store, 'shop', 'dev');
    await store.claimNext('replica-1');
    expect(await store.takeOverAbandoned({ owner: 'replica-1', staleAfterMs: -1, alive: [d.id], maxInterruptions: 3 })).toEqual([]);
    expect((await store.getDeployment(d.id))?.status).toBe('running');
    expect(await store.renewLock(d.id, 'replica-1')).toBe(true);
  });

  it('records node progress and log lines in one batch', async () => {
    const { store } = await createStore();
    const d = await queue(store, 'shop', 'dev');
    await store.setNodes(d.id, [{ uid: 'a', status: 'pending' }, { uid: 'b', status: 'pending' }]);
    await store.recordProgress(d.id, {
      nodes: [{ uid: 'a', status: 'succeeded' }, { uid: 'b', status: 'failed', message: 'boom' }],
      log: [{ level: 'info', message: 'a: succeeded', uid: 'a' }, { level: 'error', message: 'b: failed', uid: 'b' }],
    });
    expect(await store.listNodes(d.id)).toEqual([{ uid: 'a', status: 'succeeded' }, { uid: 'b', status: 'failed', message: 'boom' }]);
    expect((await store.readLog(d.id)).map(l => [l.level, l.uid, l.message])).toEqual([
      ['info', 'a', 'a: succeeded'],
      ['error', 'b', 'b: failed'],
    ]);
  });

  it('lets only one of many concurrent claims take an environment', async () => {
    const { store } = await createStore();
    for (let i = 0; i < 5; i++) await queue(store, 'shop', 'dev');
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.claimNext(`replica-${i}`)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('queues a deployment abandoned by a crashed backend again, and fails it after the last allowed interruption', async () => {
    const { store } = await createStore();
    const d = await queue(store, 'shop', 'dev');
    await store.claimNext('replica-1');
    await store.setNodes(d.id, [
      { uid: 'a', status: 'succeeded' },
      { uid: 'b', status: 'running' },
    ]);

    // Another live replica does not touch a lock that is fresh.
    expect(await store.takeOverAbandoned({ owner: 'replica-2', staleAfterMs: 60_000, maxInterruptions: 2 })).toEqual([]);
    // The crashed replica restarting recognizes its own lock: the deployment is queued again, first in line.
    const later = await queue(store, 'shop', 'dev');
    expect(await store.takeOverAbandoned({ owner: 'replica-1', staleAfterMs: 60_000, maxInterruptions: 2 })).toEqual([
      { id: d.id, owner: 'replica-1', outcome: 'queued', interruptions: 1 },
    ]);
    expect((await store.getDeployment(d.id))?.startedAt).toBeUndefined();
    expect((await store.claimNext('replica-2'))?.id).toBe(d.id);
    await store.setNodes(d.id, [
      { uid: 'a', status: 'succeeded' },
      { uid: 'b', status: 'running' },
    ]);
    // replica-2 dies too: the second interruption is the last allowed.
    expect(await store.takeOverAbandoned({ owner: 'replica-2', staleAfterMs: 60_000, maxInterruptions: 2 })).toEqual([
      { id: d.id, owner: 'replica-2', outcome: 'failed', interruptions: 2 },
    ]);

    const failed = await store.getDeployment(d.id);
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toMatch(/stopped before it finished/);
    expect(await store.listNodes(d.id)).toEqual([
      { uid: 'a', status: 'succeeded' },
      { uid: 'b', status: 'skipped', message: 'interrupted' },
    ]);
    expect((await store.claimNext('replica-2'))?.id).toBe(later.id);
  });

  it('takes a deployment back from a stopping backend, for the next claim', async () => {
    const { store } = await createStore();
    const d = await queue(store, 'shop', 'dev');
    await store.claimNext('replica-1');
    expect(await store.handBack(d.id, 'replica-2')).toBe(false);
    expect(await store.handBack(d.id, 'replica-1')).toBe(true);
    expect(await store.getDeployment(d.id)).toMatchObject({ status: 'queued' });
    expect(await store.renewLock(d.id, 'replica-1')).toBe(false);
    expect((await store.claimNext('replica-2'))?.id).toBe(d.id);
    expect(await store.handBack(d.id, 'replica-1')).toBe(false);
  });

  it('times concurrent requests in the order it queues them', async () => {
    const { store } = await createStore();
    await Promise.all(Array.from({ length: 24 }, (_, i) => queue(store, 'shop', i % 2 ? 'dev' : 'prod')));
    const { items } = await store.listAllDeployments({ limit: 50 });
    const times = items.map(d => Date.parse(d.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('keeps logs in order and pages deployments newest first', async () => {
    const { store } = await createStore();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await queue(store, 'shop', 'dev')).id);
    await store.appendLog(ids[0], { level: 'info', message: 'one' });
    await store.appendLog(ids[0], { level: 'error', uid: 'x', message: 'two' });
    const log = await store.readLog(ids[0]);
    expect(log.map(l => l.message)).toEqual(['one', 'two']);
    expect(await store.readLog(ids[0], log[0].id)).toHaveLength(1);

    const page1 = await store.listDeployments('shop', 'dev', { limit: 2 });
    expect(page1.items.map(d => d.id)).toEqual([ids[4], ids[3]]);
    const page2 = await store.listDeployments('shop', 'dev', { limit: 2, cursor: page1.nextCursor });
    const page3 = await store.listDeployments('shop', 'dev', { limit: 2, cursor: page2.nextCursor });
    expect([...page2.items, ...page3.items].map(d => d.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(page3.nextCursor).toBeUndefined();
  });

  it('upserts a resource whole: every value replaced, absent ones cleared, quotes and unicode kept', async () => {
    const { store } = await createStore();
    const base = {
      appId: 'shop',
      envId: 'dev',
      uid: 'postgres.default#db',
      resId: 'db',
      type: 'postgres',
      class: 'default',
      guresid: 'g-1',
      definitionId: 'pg',
      status: 'active' as const,
    };
    await store.putResources([
      { ...base, definitionRevision: 1, outputs: { host: 'a' }, secretOutputs: 'v1:old', cookie: 'v1:cookie', provisionedWith: 'v1:with', deploymentId: 'd-1', workloads: ['web'] },
    ]);
    const outputs = { host: `it's "quoted" \\ back\nslash — ünïcødé ✓`, port: 5432, nested: { list: [1, null, true] } };
    await store.putResources([{ ...base, definitionRevision: 2, outputs, deploymentId: 'd-2', workloads: ['web', 'api'] }]);
    const [stored] = await store.listResources('shop', 'dev');
    expect(stored).toMatchObject({ ...base, definitionRevision: 2, outputs, deploymentId: 'd-2', workloads: ['web', 'api'] });
    expect(stored.secretOutputs).toBeUndefined();
    expect(stored.cookie).toBeUndefined();
    expect(stored.provisionedWith).toBeUndefined();
    expect(Date.parse(stored.updatedAt)).not.toBeNaN();
  });

  it('stores active resources and pages them across environments', async () => {
    const { store } = await createStore();
    for (const [app, env, uid] of [
      ['a', 'dev', 'postgres.default#x'],
      ['a', 'dev', 'redis.default#y'],
      ['a', 'prod', 'postgres.default#x'],
      ['b', 'dev', 'dns.default#z'],
    ]) {
      await store.putResources([{
        appId: app,
        envId: env,
        uid,
        resId: uid.split('#')[1],
        type: uid.split('.')[0],
        class: 'default',
        guresid: `${app}-${env}-${uid}`,
        definitionId: 'def',
        definitionRevision: 1,
        status: 'active',
        outputs: { host: 'h' },
        secretOutputs: 'v1:ciphertext',
      }]);
    }
    const all = [];
    let cursor: string | undefined;
    do {
      const page = await store.listAllResources({ limit: 3, cursor });
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(all.map(r => `${r.appId}/${r.envId}/${r.uid}`)).toEqual([
      'a/dev/postgres.default#x',
      'a/dev/redis.default#y',
      'a/prod/postgres.default#x',
      'b/dev/dns.default#z',
    ]);
    await store.setResourceStatus('a', 'dev', 'redis.default#y', 'orphaned');
    expect((await store.getResource('a', 'dev', 'redis.default#y'))?.status).toBe('orphaned');

    await store.setResourceStatus('b', 'dev', 'dns.default#z', 'orphaned');
    const orphans = [];
    cursor = undefined;
    do {
      const page = await store.listAllResources({ status: 'orphaned', limit: 1, cursor });
      orphans.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(orphans.map(r => `${r.appId}/${r.envId}/${r.uid}`)).toEqual(['a/dev/redis.default#y', 'b/dev/dns.default#z']);

    // One environment, page by page (the catalog reads a big one this way).
    const aDev = [];
    cursor = undefined;
    do {
      const page = await store.listAllResources({ app: 'a', env: 'dev', limit: 1, cursor });
      aDev.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(aDev.map(r => `${r.appId}/${r.envId}/${r.uid}`)).toEqual(['a/dev/postgres.default#x', 'a/dev/redis.default#y']);
    expect((await store.listAllResources({ app: 'a', limit: 10 })).items.map(r => r.envId)).toEqual(['dev', 'dev', 'prod']);
  });

  it('lists the deployments of every app newest first, optionally only failed ones, page by page', async () => {
    const { store } = await createStore();
    const shopDev = await queue(store, 'shop', 'dev');
    const blogProd = await queue(store, 'blog', 'prod');
    const shopProd = await queue(store, 'shop', 'prod');
    const blogDev = await queue(store, 'blog', 'dev');
    for (const [d, status] of [
      [shopDev, 'failed'],
      [blogProd, 'succeeded'],
      [shopProd, 'failed'],
    ] as const) {
      expect((await store.claimNext('replica-1'))?.id).toBe(d.id);
      await store.finishDeployment(d.id, 'replica-1', { status, error: status === 'failed' ? 'driver failed' : undefined });
    }

    async function all(status?: 'failed') {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listAllDeployments({ status, limit: 2, cursor });
        ids.push(...page.items.map(d => `${d.appId}/${d.envId}/${d.status}`));
        cursor = page.nextCursor;
      } while (cursor);
      return ids;
    }
    expect(await all()).toEqual(['blog/dev/queued', 'shop/prod/failed', 'blog/prod/succeeded', 'shop/dev/failed']);
    expect(await all('failed')).toEqual(['shop/prod/failed', 'shop/dev/failed']);
    expect(blogDev.status).toBe('queued');
    await expect(store.listAllDeployments({ limit: 2, cursor: 'not-a-cursor' })).rejects.toThrow(
      'cursor is not one this API gave out',
    );
  });
});
