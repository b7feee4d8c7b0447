import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';

jest.setTimeout(60_000);

const migrationsDir = resolvePackagePath(
  '@baton/backstage-plugin-orchestrator-backend',
  'migrations',
);
const databases = TestDatabases.create({ ids: testDatabaseIds });

describe.each(databases.eachSupportedId())('migrations (%s)', id => {
  it('apply, roll back completely and apply again', async () => {
    const knex = await databases.init(id);
    await knex.migrate.latest({ directory: migrationsDir });
    expect(await knex.schema.hasTable('active_resources')).toBe(true);

    await knex.migrate.rollback({ directory: migrationsDir }, true);
    expect(await knex.schema.hasTable('apps')).toBe(false);
    expect(await knex.schema.hasTable('active_resources')).toBe(false);

    await knex.migrate.latest({ directory: migrationsDir });
    expect(await knex.schema.hasTable('environment_locks')).toBe(true);
  });
});
