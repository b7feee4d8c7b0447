import { TestDatabases } from '@backstage/backend-test-utils';
import { randomUUID } from 'node:crypto';
import { createDeploymentStore, queueDeployment } from '../__testUtils__/deploymentStoreTestbed';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';
import { DatabaseDeploymentStore } from './DatabaseDeploymentStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: testDatabaseIds });

describe.each(databases.eachSupportedId())("the deployments' queue and environment locks (%s)", id => {
  const createStore = () => createDeploymentStore(databases, id);
  const queue = queueDeployment;

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
