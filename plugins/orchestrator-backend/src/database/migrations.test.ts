import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';

jest.setTimeout(60_000);

const migrationsDir = resolvePackagePath(
  '@baton/backstage-plugin-orchestrator-backend',
  'migrations',
);
const databases = TestDatabases.create({ ids: testDatabaseIds });

/** Applies migrations one at a time until `name` is applied (and nothing after it). */
async function migrateUpTo(knex: Awaited<ReturnType<typeof databases.init>>, name: string) {
  for (;;) {
    const [completed] = await knex.migrate.list({ directory: migrationsDir });
    if (completed.some((m: { name: string }) => m.name === name)) return;
    await knex.migrate.up({ directory: migrationsDir });
  }
}

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

  it('moves deployment artifacts to their own table, numbers the history, and back without losing any', async () => {
    const knex = await databases.init(id);
    // The schema just before the history migration.
    await migrateUpTo(knex, '20261124f_deploy_mode.js');
    expect(await knex.schema.hasTable('deployment_artifacts')).toBe(false);

    await knex('deployment_sets').insert({ id: 'set-1', app_id: 'shop', content: '{}' });
    const deployment = { app_id: 'shop', env_id: 'dev', set_id: 'set-1', status: 'succeeded', created_by: 'user:default/guest' };
    await knex('deployments').insert([
      { ...deployment, id: 'd-1', plan: '{"nodes":[]}', graph: '{"nodes":[1]}', diff: '{"added":[]}', delivered: '{"a.yaml":"x"}' },
      { ...deployment, id: 'd-2' },
    ]);
    await knex('deployment_queue').insert([{ deployment_id: 'd-2' }, { deployment_id: 'd-1' }]);

    await migrateUpTo(knex, '20261125_deployment_history.js');
    expect(await knex.schema.hasColumn('deployments', 'graph')).toBe(false);
    expect(await knex('deployment_artifacts').orderBy('deployment_id')).toEqual([
      { deployment_id: 'd-1', plan: '{"nodes":[]}', graph: '{"nodes":[1]}', diff: '{"added":[]}', delivered: '{"a.yaml":"x"}' },
    ]);
    const history = await knex('deployments').select('id', 'seq').orderBy('seq', 'desc');
    expect(history.map(row => [row.id, Number(row.seq)])).toEqual([['d-1', 2], ['d-2', 1]]);

    await knex.migrate.down({ directory: migrationsDir });
    expect(
      await knex('deployments').select('id', 'plan', 'graph', 'diff', 'delivered').orderBy('id'),
    ).toEqual([
      { id: 'd-1', plan: '{"nodes":[]}', graph: '{"nodes":[1]}', diff: '{"added":[]}', delivered: '{"a.yaml":"x"}' },
      { id: 'd-2', plan: null, graph: null, diff: null, delivered: null },
    ]);
  });
});
