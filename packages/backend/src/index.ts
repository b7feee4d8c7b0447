import { createBackend } from '@backstage/backend-defaults';
// Baton's workspace packages are imported statically: in development they are
// TypeScript sources, which the CLI's require hook transforms, while dynamic
// import() would hand them to Node's ESM loader untransformed.
import orchestratorPlugin, { readOrchestratorSettings } from '@baton/backstage-plugin-orchestrator-backend';
import { ConfigSources } from '@backstage/config-loader';
import catalogModuleOrchestrator from '@baton/backstage-plugin-catalog-backend-module-orchestrator';
import scaffolderModuleOrchestrator from '@baton/backstage-plugin-scaffolder-backend-module-orchestrator';
import { sqliteDatabaseServiceFactory } from './sqliteDatabaseService';

/** Backstage with Baton: the plugins this backend runs. */
function createBatonBackend() {
  const backend = createBackend();

  // Every plugin's SQLite database in write-ahead-log mode (the embedded default).
  backend.add(sqliteDatabaseServiceFactory);

  backend.add(import('@backstage/plugin-app-backend'));
  backend.add(import('@backstage/plugin-proxy-backend'));

  // scaffolder plugin
  backend.add(import('@backstage/plugin-scaffolder-backend'));
  backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
  backend.add(
    import('@backstage/plugin-scaffolder-backend-module-notifications'),
  );

  // techdocs plugin
  backend.add(import('@backstage/plugin-techdocs-backend'));

  // auth plugin
  backend.add(import('@backstage/plugin-auth-backend'));
  // See https://backstage.io/docs/backend-system/building-backends/migrating#the-auth-plugin
  backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
  // See https://backstage.io/docs/auth/guest/provider

  // events plugin: the event bus that carries Baton's events to subscribers on every replica
  backend.add(import('@backstage/plugin-events-backend'));

  // catalog plugin
  backend.add(import('@backstage/plugin-catalog-backend'));
  backend.add(
    import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
  );

  // See https://backstage.io/docs/features/software-catalog/configuration#subscribing-to-catalog-errors
  backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

  // permission plugin
  backend.add(import('@backstage/plugin-permission-backend'));
  // See https://backstage.io/docs/permissions/getting-started for how to create your own permission policy
  backend.add(
    import('@backstage/plugin-permission-backend-module-allow-all-policy'),
  );

  // search plugin
  backend.add(import('@backstage/plugin-search-backend'));

  // search engine
  // See https://backstage.io/docs/features/search/search-engines
  backend.add(import('@backstage/plugin-search-backend-module-pg'));

  // search collators
  backend.add(import('@backstage/plugin-search-backend-module-catalog'));
  backend.add(import('@backstage/plugin-search-backend-module-techdocs'));

  // kubernetes plugin
  backend.add(import('@backstage/plugin-kubernetes-backend'));

  // user settings plugin
  backend.add(import('@backstage/plugin-user-settings-backend'));

  // notifications and signals plugins
  backend.add(import('@backstage/plugin-notifications-backend'));
  backend.add(import('@backstage/plugin-signals-backend'));

  // mcp actions plugin
  backend.add(import('@backstage/plugin-mcp-actions-backend'));

  // Baton: the orchestrator, its catalog provider and scaffolder actions
  backend.add(orchestratorPlugin);
  backend.add(catalogModuleOrchestrator);
  backend.add(scaffolderModuleOrchestrator);
  return backend;
}

// The orchestrator's settings are checked before any plugin is loaded: a bad
// one stops the process at once, naming its key, rather than once every other
// plugin has started. A backend whose startup failed otherwise would keep
// answering 503 and ignore SIGTERM: it exits instead, with the reason.
checkOrchestratorSettings()
  .then(() => createBatonBackend().start())
  .catch(error => {
    process.stderr.write(`Backend startup failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });

async function checkOrchestratorSettings() {
  const config = await ConfigSources.toConfig(ConfigSources.default({ watch: false }));
  try {
    readOrchestratorSettings(config);
  } finally {
    config.close();
  }
}
