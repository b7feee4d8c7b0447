import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { DatabaseManager } from '@backstage/backend-defaults/database';
import { tuneSqlite } from '@baton/backstage-plugin-orchestrator-backend';

/**
 * Backstage's database service, with every plugin's SQLite database in
 * write-ahead-log mode (see `tuneSqlite`). The embedded default keeps every
 * plugin on SQLite, which runs in the backend's own thread: the catalog,
 * taking in the resources of a big deployment, made over a thousand commits
 * that each waited for several disk syncs, seconds in all during which no
 * other request was served. Other databases are left as they are.
 */
export const sqliteDatabaseServiceFactory = createServiceFactory({
  service: coreServices.database,
  deps: {
    config: coreServices.rootConfig,
    lifecycle: coreServices.lifecycle,
    logger: coreServices.logger,
    pluginMetadata: coreServices.pluginMetadata,
    rootLifecycle: coreServices.rootLifecycle,
    rootLogger: coreServices.rootLogger,
  },
  async createRootContext({ config, rootLifecycle, rootLogger }) {
    // As Backstage's own factory: SQLite in memory when nothing is configured.
    const source = config.getOptional('backend.database')
      ? config
      : new ConfigReader({ backend: { database: { client: 'better-sqlite3', connection: ':memory:' } } });
    return DatabaseManager.fromConfig(source, { rootLifecycle, rootLogger });
  },
  async factory({ pluginMetadata, lifecycle, logger }, manager) {
    const database = manager.forPlugin(pluginMetadata.getId(), { lifecycle, logger });
    return {
      migrations: database.migrations,
      async getClient() {
        const client = await database.getClient();
        await tuneSqlite(client);
        return client;
      },
    };
  },
});
