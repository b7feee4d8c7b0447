import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { OrchestratorStore } from '../database/OrchestratorStore';
import { repositoriesFromCatalog } from './catalogRepositories';
import { GitWatcher, WatchedRepository } from './GitWatcher';

/**
 * Every repository the Git watcher follows, read at each poll: those in
 * `orchestrator.gitWatch.repositories`, those apps name, and for an app that
 * names none the repository of its catalog entity. A catalog that cannot be
 * read leaves the others watched.
 *
 * @internal
 */
export function watchedRepositories(deps: {
  config: Config;
  store: OrchestratorStore;
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
}): () => Promise<WatchedRepository[]> {
  return async () => {
    const apps = await deps.store.listApps();
    const withoutRepository = new Set(apps.filter(app => !app.repository).map(app => app.id));
    const fromCatalog = await repositoriesFromCatalog({
      catalog: deps.catalog,
      auth: deps.auth,
      follows: app => withoutRepository.has(app),
    }).catch(error => {
      deps.logger.debug(`Could not read repositories from the catalog: ${error}`);
      return [];
    });
    return [
      ...GitWatcher.repositoriesInConfig(deps.config),
      ...apps.flatMap(app => (app.repository ? [{ ...app.repository, app: app.id, source: 'app' as const }] : [])),
      ...fromCatalog,
    ];
  };
}
