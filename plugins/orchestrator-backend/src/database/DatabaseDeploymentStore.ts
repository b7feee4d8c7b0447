import { DatabaseService } from '@backstage/backend-plugin-api';
import { DeploymentStore } from './DeploymentStore';
import { DatabaseDeploymentProgressStore } from './DeploymentProgressStore';
import { DatabaseDeploymentQueueStore } from './DeploymentQueueStore';
import { migratedClient } from './migrateDatabase';
import { DatabaseResourceStore } from './ResourceStore';

/**
 * The deployment stores on one database: the queue and its locks, the
 * progress of each deployment, and the resources deployments leave.
 *
 * @internal
 */
export const DatabaseDeploymentStore = {
  async create(options: { database: DatabaseService }): Promise<DeploymentStore> {
    const db = await migratedClient(options.database);
    return combineStores(new DatabaseDeploymentQueueStore(db), new DatabaseDeploymentProgressStore(db), new DatabaseResourceStore(db));
  },
};

/**
 * One object with the methods of each store, bound to it, for callers that
 * use more than one concern.
 */
function combineStores<A extends object, B extends object, C extends object>(a: A, b: B, c: C): A & B & C {
  const combined: Record<string, unknown> = {};
  for (const store of [a, b, c]) {
    for (const key of Object.getOwnPropertyNames(Object.getPrototypeOf(store))) {
      const member: unknown = Reflect.get(store, key);
      if (key !== 'constructor' && typeof member === 'function') combined[key] = member.bind(store);
    }
  }
  return combined as A & B & C;
}
