import { TestDatabases } from '@backstage/backend-test-utils';
import { createDeploymentStore } from '../__testUtils__/deploymentStoreTestbed';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: testDatabaseIds });

describe.each(databases.eachSupportedId())('the resources deployments leave (%s)', id => {
  const createStore = () => createDeploymentStore(databases, id);

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
});
