import { TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseOrchestratorStore } from './DatabaseOrchestratorStore';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: testDatabaseIds });

describe.each(databases.eachSupportedId())('DatabaseOrchestratorStore (%s)', id => {
  async function createStore() {
    const knex = await databases.init(id);
    return DatabaseOrchestratorStore.create({
      database: { getClient: async () => knex },
    });
  }

  it('keeps apps, environment types and environments', async () => {
    const store = await createStore();
    await store.putEnvironmentType({ id: 'staging', name: 'Staging', source: 'api' });
    await store.putApp({ id: 'shop', title: 'Shop', entityRef: 'system:default/shop' });
    await store.putEnvironment({ appId: 'shop', id: 'qa', type: 'staging' });

    expect(await store.listEnvironmentTypes()).toEqual([
      expect.objectContaining({ id: 'staging', name: 'Staging', source: 'api' }),
    ]);
    expect(await store.getApp('shop')).toMatchObject({
      id: 'shop',
      title: 'Shop',
      entityRef: 'system:default/shop',
    });
    const [env] = await store.listEnvironments('shop');
    expect(env).toMatchObject({ appId: 'shop', id: 'qa', type: 'staging' });
    expect(new Date(env.createdAt).getTime()).not.toBeNaN();

    // PUT is an upsert
    await store.putApp({ id: 'shop', title: 'The shop' });
    expect((await store.getApp('shop'))?.title).toBe('The shop');
  });

  it("keeps an app's repository until it is replaced or removed", async () => {
    const store = await createStore();
    const repository = { url: 'https://github.com/acme/shop.git', branches: { main: 'dev', release: 'staging' }, paths: ['services/*/score.yaml'] };
    await store.putApp({ id: 'shop', repository });
    expect((await store.getApp('shop'))?.repository).toEqual(repository);
    await store.putApp({ id: 'shop', title: 'Shop' });
    expect((await store.listApps())[0]).toMatchObject({ title: 'Shop', repository });
    await store.putApp({ id: 'shop', repository: { url: '/srv/git/shop.git', branches: { main: 'dev' } } });
    expect((await store.getApp('shop'))?.repository).toEqual({ url: '/srv/git/shop.git', branches: { main: 'dev' } });
    await store.putApp({ id: 'shop', repository: null });
    expect((await store.getApp('shop'))?.repository).toBeUndefined();
  });

  it('refuses environments of unknown apps or types, and deleting a type in use', async () => {
    const store = await createStore();
    await store.putEnvironmentType({ id: 'production', source: 'config' });
    await store.putApp({ id: 'shop' });
    await expect(
      store.putEnvironment({ appId: 'nope', id: 'prod', type: 'production' }),
    ).rejects.toThrow('No app nope');
    await expect(
      store.putEnvironment({ appId: 'shop', id: 'prod', type: 'nope' }),
    ).rejects.toThrow('No environment type nope');

    await store.putEnvironment({ appId: 'shop', id: 'prod', type: 'production' });
    await expect(store.deleteEnvironmentType('production')).rejects.toThrow(
      'used by environment shop/prod',
    );
    expect(await store.deleteApp('shop')).toBe(true);
    expect(await store.listEnvironments('shop')).toEqual([]);
    expect(await store.deleteEnvironmentType('production')).toBe(true);
  });
});
