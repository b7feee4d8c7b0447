import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { RenderWorkers } from '@baton/backstage-plugin-orchestrator-node';
import path from 'node:path';
import { registerOrchestratorActions } from './actions/registerOrchestratorActions';
import { createStores } from './database/createStores';
import { DirectDelivery } from './delivery/DirectDelivery';
import { GitOpsDelivery } from './delivery/GitOpsDelivery';
import { createBackendDrivers } from './drivers/backendDrivers';
import { terraformLastRuns } from './drivers/terraform/terraformLastRuns';
import { GitOpsRepository } from './gitops/GitOpsRepository';
import { registerModuleExtensions } from './moduleExtensions';
import { eventServiceRefs, subscribeNotificationsAndSignals } from './notifications/subscribeNotificationsAndSignals';
import { registerEnvironmentPermissions } from './permissions';
import { BackendReplicas } from './runner/BackendReplicas';
import { DeploymentQueue } from './runner/DeploymentQueue';
import { createEnvironmentLifecycle } from './runner/environmentLifecycle';
import { readInstanceId } from './runner/instanceId';
import { runDeployment } from './runner/DeploymentPipeline';
import { SecretBox } from './secrets/SecretBox';
import { verifySecretKey } from './secrets/verifySecretKey';
import { ActiveResourceDrivers } from './service/activeResourceDriver';
import { DefinitionService } from './service/DefinitionService';
import { DeploymentService } from './service/DeploymentService';
import { DriftReconciler } from './service/DriftReconciler';
import { GitWatcher } from './service/GitWatcher';
import { OrchestratorEvents } from './service/OrchestratorEvents';
import { readOrchestratorSettings } from './service/OrchestratorSettings';
import { ParsedScoreCache } from './service/ParsedScoreCache';
import { PlatformConfig } from './service/PlatformConfig';
import { createRouter } from './service/router';
import { routerSettings } from './service/routes/routerSettings';
import { watchedRepositories } from './service/watchedRepositories';

/** The orchestrator backend plugin: Baton's REST API and actions; it only builds and wires the services (`docs/architecture.md` follows a deployment through them). @public */
export const orchestratorPlugin = createBackendPlugin({
  pluginId: 'orchestrator',
  register(env) {
    const modules = registerModuleExtensions(env);
    env.registerInit({
      deps: {
        actionsRegistry: actionsRegistryServiceRef,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
        database: coreServices.database,
        discovery: coreServices.discovery,
        ...eventServiceRefs,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
      },
      async init({ config, database, logger, ...deps }) {
        const settings = readOrchestratorSettings(config);
        const { dataDir } = settings;
        const instanceId = readInstanceId(dataDir);
        const { store, deploymentStore, definitionStore, deliveredSecrets, driftReports, watchState, instances, secretKeys, lifecycle } = await createStores(database);
        const secrets = await SecretBox.fromConfig(config, { dataDir });
        await verifySecretKey(secrets, secretKeys);
        const { drivers, terraform } = await createBackendDrivers({ config, database, secrets, dataDir, moduleDrivers: modules.drivers });
        const definitions = new DefinitionService({ definitionStore, store, secrets, deploymentStore, configPaths: settings.definitionPaths, drivers });
        const platformConfig = await PlatformConfig.loadAndWatch(settings.definitionPaths, definitions, store, logger);

        const gitops = await GitOpsRepository.fromConfig(config, { dataDir });
        const replicas = new BackendReplicas({ store: instances, instanceId, gitopsRemote: gitops.remoteIdentity, renewMs: settings.leaseRenewMs, liveMs: settings.takeoverMs, logger });
        const activeDrivers = new ActiveResourceDrivers({ definitions, drivers, secrets, deploymentStore, logger });
        const events = OrchestratorEvents.forEventsService(deps.events, logger);
        const gitopsDelivery = await GitOpsDelivery.fromConfig(config, { gitops, deliveredSecrets, secrets, replicas, dataDir, discovery: deps.discovery });
        const delivery = { gitops: gitopsDelivery, direct: new DirectDelivery(modules.clusterApplier()) };
        const renderWorkers = new RenderWorkers({ size: config.getOptionalNumber('orchestrator.deployments.renderWorkers'), onFallback: error => logger.warn(`Rendering in the backend's own thread: ${error.message}`) });
        const nodeConcurrency = config.getOptionalNumber('orchestrator.deployments.nodeConcurrency');
        const runDeps = { store, deploymentStore, definitions, drivers, secrets, events, logger, delivery, renderWorkers, nodeConcurrency };
        const parsedScores = new ParsedScoreCache();
        const queue = DeploymentQueue.fromConfig(config, { deploymentStore, instanceId, logger, events, canonicalJsonOf: w => parsedScores.canonicalJsonOf(w), renewMs: settings.leaseRenewMs, staleAfterMs: settings.takeoverMs, run: runDeployment.bind(undefined, runDeps) });
        const deploymentService = new DeploymentService({ store, deploymentStore, deliveredSecrets, definitions, drivers, secrets, activeDrivers, events, logger, queue, parsedScores, delivery });

        const drift = DriftReconciler.fromConfig(config, { driftReports, store, deploymentStore, activeDrivers, gitops, deploymentService, replicas, events, logger: logger.child({ task: 'drift' }) });
        await drift.schedule(config, deps.scheduler);
        await subscribeNotificationsAndSignals({ config, store, logger, ...deps });
        const repositories = watchedRepositories({ config, store, catalog: deps.catalog, auth: deps.auth, logger });
        const environments = createEnvironmentLifecycle(config, { lifecycle, hooks: deps.lifecycle, store, deploymentStore, deploymentService, delivery, watchState, repositories, events, logger, instanceId, staleAfterMs: settings.takeoverMs });
        const gitWatcher = new GitWatcher({ watchState, deploymentService, repositories, previews: environments.previews, cacheDir: path.join(dataDir, 'watched'), logger: logger.child({ task: 'git-watch' }) });
        await gitWatcher.schedule(config, deps.scheduler);

        registerEnvironmentPermissions(deps.permissionsRegistry, store);
        const router = routerSettings(config, logger);
        registerOrchestratorActions(deps.actionsRegistry, { permissions: deps.permissions, decisions: router.decisions, store, deploymentStore, definitions, deploymentService });
        deps.httpRouter.addAuthPolicy({ path: '/webhooks/git', allow: 'unauthenticated' });
        deps.httpRouter.use(
          await createRouter({
            ...{ httpAuth: deps.httpAuth, permissions: deps.permissions, store, deploymentStore, definitions, deploymentService, drift, gitWatcher, previews: environments.previews, teardown: environments.teardown },
            ...router,
            secretKeysOf: ciphertext => (ciphertext ? secrets.keysOf(ciphertext) : []),
            lastRuns: terraformLastRuns(terraform, definitions),
          }),
        );

        deps.lifecycle.addStartupHook(async () => {
          // Loading the workers takes a moment; the first deployment waits for it if it comes sooner.
          renderWorkers.start().catch(error => logger.warn(`Render workers did not start: ${error.message}`));
          await replicas.start();
          await queue.start();
        });
        deps.lifecycle.addShutdownHook(async () => {
          platformConfig.close();
          await queue.stop();
          await replicas.stop();
          await renderWorkers.close();
          await terraform.close();
        });
      },
    });
  },
});
