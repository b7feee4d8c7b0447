import { TestDatabases } from '@backstage/backend-test-utils';
import { createDeploymentStore, queueDeployment } from '../__testUtils__/deploymentStoreTestbed';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: testDatabaseIds });

describe.each(databases.eachSupportedId())("a deployment's nodes, log and artifacts (%s)", id => {
  const createStore = () => createDeploymentStore(databases, id);
  const queue = queueDeployment;

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
});
