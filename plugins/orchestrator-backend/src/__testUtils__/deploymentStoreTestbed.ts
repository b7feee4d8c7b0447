import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { randomUUID } from 'node:crypto';
import { DatabaseDeploymentStore } from '../database/DatabaseDeploymentStore';
import { DeploymentStore } from '../database/DeploymentStore';

const migrationsDir = resolvePackagePath('@baton/backstage-plugin-orchestrator-backend', 'migrations');

/** A migrated database of the given kind and the deployment stores on it (with its client, for tests that look at rows). */
export async function createDeploymentStore(databases: TestDatabases, id: TestDatabaseId) {
  const knex = await databases.init(id);
  await knex.migrate.latest({ directory: migrationsDir });
  return { knex, store: await DatabaseDeploymentStore.create({ database: { getClient: async () => knex } }) };
}

/** A queued deployment of an empty set. */
export async function queueDeployment(store: DeploymentStore, appId: string, envId: string) {
  await store.putSet({ id: 'set-1', appId, content: { workloads: [] } });
  return store.createDeployment({ id: randomUUID(), appId, envId, setId: 'set-1', createdBy: 'user:default/guest' });
}
