import { TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseDeliveredSecretStore } from './DeliveredSecretStore';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: testDatabaseIds });

describe.each(databases.eachSupportedId())('DatabaseDeliveredSecretStore (%s)', id => {
  it("keeps exactly an environment's last delivered Secrets, writing only what changed", async () => {
    const knex = await databases.init(id);
    const store = await DatabaseDeliveredSecretStore.create({ database: { getClient: async () => knex } });
    await store.replace('shop', 'dev', 'd-1', [
      { name: 'web-secrets', data: 'cipher-web-1' },
      { name: 'api-secrets', data: 'cipher-api-1' },
      { name: 'old-secrets', data: 'cipher-old-1' },
    ]);
    await store.replace('shop', 'qa', 'd-2', [{ name: 'web-secrets', data: 'cipher-web-qa' }]);
    await store.replace('shop', 'dev', 'd-3', [
      { name: 'web-secrets', data: 'cipher-web-1' },
      { name: 'api-secrets', data: 'cipher-api-2' },
      { name: 'new-secrets', data: 'cipher-new-3' },
    ]);

    expect(await store.get('shop', 'dev', 'web-secrets')).toBe('cipher-web-1');
    expect(await store.get('shop', 'dev', 'api-secrets')).toBe('cipher-api-2');
    expect(await store.get('shop', 'dev', 'new-secrets')).toBe('cipher-new-3');
    expect(await store.get('shop', 'dev', 'old-secrets')).toBeUndefined();
    expect(await store.get('shop', 'qa', 'web-secrets')).toBe('cipher-web-qa');
    // The unchanged one was not written again; the changed and new ones name the deployment that wrote them.
    const rows = await knex('delivered_secrets').where({ app_id: 'shop', env_id: 'dev' }).orderBy('name').select('name', 'deployment_id');
    expect(rows).toEqual([
      { name: 'api-secrets', deployment_id: 'd-3' },
      { name: 'new-secrets', deployment_id: 'd-3' },
      { name: 'web-secrets', deployment_id: 'd-1' },
    ]);

    await store.replace('shop', 'dev', 'd-4', []);
    expect(await store.get('shop', 'dev', 'web-secrets')).toBeUndefined();
    expect(await store.get('shop', 'qa', 'web-secrets')).toBe('cipher-web-qa');
  });
});
