import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import {
  ORCHESTRATOR_EVENTS_TOPIC,
  ORCHESTRATOR_RESOURCE_EVENTS_TOPIC,
} from '@baton/backstage-plugin-orchestrator-common';
import { createBuiltInDrivers, RenderWorkers } from '@baton/backstage-plugin-orchestrator-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DatabaseDeploymentStore } from './database/DatabaseDeploymentStore';
import { DatabaseOrchestratorStore } from './database/DatabaseOrchestratorStore';
import { PostgresDriver } from './drivers/PostgresDriver';
import { MysqlDriver } from './drivers/MysqlDriver';
import { RedisDriver } from './drivers/RedisDriver';
import { AmqpDriver } from './drivers/AmqpDriver';
import { CommandDriver } from './drivers/CommandDriver';
import { defaultTerraformBinary, TerraformDriver } from './drivers/terraform/TerraformDriver';
import { DatabaseTerraformStateStore } from './database/TerraformStateStore';
import { GitOpsRepository } from './gitops/GitOpsRepository';
import { registerEnvironmentPermissions } from './permissions';
import { SecretBox } from './secrets/SecretBox';
import { verifySecretKey } from './secrets/verifySecretKey';
import { DefinitionService } from './service/DefinitionService';
import { DeploymentService } from './service/DeploymentService';
import { DriftReconciler } from './service/DriftReconciler';
import { GitWatcher } from './service/GitWatcher';
import { repositoriesFromCatalog } from './service/catalogRepositories';
import { createRouter } from './service/router';
import { ClusterApplier, orchestratorClusterExtensionPoint, orchestratorDriversExtensionPoint } from '@baton/backstage-plugin-orchestrator-node/extensions';
import type { Driver } from '@baton/backstage-plugin-orchestrator-node';
import { PlatformConfig } from './service/PlatformConfig';
import { OrchestratorEvents } from './service/OrchestratorEvents';
import { ActiveResourceDrivers } from './service/activeResourceDriver';
import { DatabaseDeliveredSecretStore } from './database/DeliveredSecretStore';
import { DatabaseDefinitionStore } from './database/DefinitionStore';
import { DatabaseDriftReportStore } from './database/DriftReportStore';
import { DatabaseGitWatchStateStore } from './database/GitWatchStateStore';
import { DatabaseSecretKeyStore } from './database/SecretKeyStore';
import { DeploymentRunner } from './runner/DeploymentRunner';
import { runDeployment } from './runner/runDeployment';
import { GitOpsDelivery } from './delivery/GitOpsDelivery';
import { DirectDelivery } from './delivery/DirectDelivery';
import { readOrchestratorSettings } from './service/OrchestratorSettings';
import { DatabaseBackendInstanceStore } from './database/BackendInstanceStore';
import { BackendReplicas } from './runner/BackendReplicas';

/**
 * The orchestrator backend plugin: Baton's REST API inside Backstage.
 *
 * @public
 */
export const orchestratorPlugin = createBackendPlugin({
  pluginId: 'orchestrator',
  register(env) {
    const moduleDrivers: Driver[] = [];
    env.registerExtensionPoint(orchestratorDriversExtensionPoint, {
      addDriver: (...drivers) => moduleDrivers.push(...drivers),
    });
    let clusterApplier: ClusterApplier | undefined;
    env.registerExtensionPoint(orchestratorClusterExtensionPoint, {
      setClusterApplier: applier => {
        if (clusterApplier) throw new Error('A cluster applier is already installed');
        clusterApplier = applier;
      },
    });
    env.registerInit({
      deps: {
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
        database: coreServices.database,
        discovery: coreServices.discovery,
        events: eventsServiceRef,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
      },
      async init(deps) {
        const { config, database, httpRouter, lifecycle, logger, permissionsRegistry } = deps;
        const settings = readOrchestratorSettings(config);
        const { dataDir } = settings;
        const instanceId = instanceIdIn(dataDir);
        const store = await DatabaseOrchestratorStore.create({ database });
        const deploymentStore = await DatabaseDeploymentStore.create({ database });
        const secrets = await SecretBox.fromConfig(config, { dataDir });
        await verifySecretKey(secrets, await DatabaseSecretKeyStore.create({ database }));
        const drivers = createBuiltInDrivers();
        drivers.register(new PostgresDriver());
        drivers.register(new MysqlDriver());
        drivers.register(new RedisDriver());
        drivers.register(new AmqpDriver());
        drivers.register(CommandDriver.fromConfig(config));
        const terraform = new TerraformDriver({
          binary: config.getOptionalString('orchestrator.drivers.terraform.binary') ?? defaultTerraformBinary(),
          states: await DatabaseTerraformStateStore.create({ database }),
          cipher: secrets,
          workDir: path.join(dataDir, 'terraform'),
          timeoutSeconds: config.getOptionalNumber('orchestrator.drivers.terraform.timeoutSeconds'),
          lockLeaseSeconds: config.getOptionalNumber('orchestrator.drivers.terraform.lockLeaseSeconds'),
        });
        drivers.register(terraform);
        for (const driver of moduleDrivers) drivers.register(driver);
        const configPaths = settings.definitionPaths;
        const definitions = new DefinitionService({
          definitionStore: await DatabaseDefinitionStore.create({ database }),
          store,
          secrets,
          deploymentStore,
          configPaths,
          drivers,
        });
        const platformConfig = new PlatformConfig(configPaths, definitions, store, logger);
        await platformConfig.load();
        platformConfig.watch();

        const gitops = await GitOpsRepository.fromConfig(config, { dataDir });
        const replicas = new BackendReplicas({
          store: await DatabaseBackendInstanceStore.create({ database }),
          instanceId,
          gitopsRemote: gitops.remoteIdentity,
          renewMs: settings.leaseRenewMs,
          liveMs: settings.takeoverMs,
        });
        const deliveredSecrets = await DatabaseDeliveredSecretStore.create({ database });
        const activeDrivers = new ActiveResourceDrivers({ definitions, drivers, secrets, deploymentStore, logger });
        const events = new OrchestratorEvents(
          event =>
            deps.events.publish({
              topic: event.type.startsWith('resource.') ? ORCHESTRATOR_RESOURCE_EVENTS_TOPIC : ORCHESTRATOR_EVENTS_TOPIC,
              eventPayload: event,
            }),
          logger,
        );
        const delivery = {
          gitops: GitOpsDelivery.fromConfig(config, {
            gitops,
            deliveredSecrets,
            secrets,
            replicas,
            dataDir,
            backendBaseUrl: await deps.discovery.getExternalBaseUrl('orchestrator').then(u => u.replace(/\/api\/orchestrator$/, '')),
          }),
          direct: new DirectDelivery(clusterApplier),
        };
        const renderWorkers = new RenderWorkers({
          size: config.getOptionalNumber('orchestrator.deployments.renderWorkers'),
          onFallback: error => logger.warn(`Rendering in the backend's own thread: ${error.message}`),
        });
        const runner = DeploymentRunner.fromConfig(config, {
          deploymentStore,
          instanceId,
          logger,
          renewMs: settings.leaseRenewMs,
          staleAfterMs: settings.takeoverMs,
          onTakenOver: async ({ id, owner, outcome, interruptions }) => {
            const who = `Backend ${owner ?? '(unknown)'} stopped during this deployment`;
            await deploymentStore.appendLog(id, {
              level: outcome === 'queued' ? 'warn' : 'error',
              message:
                outcome === 'queued'
                  ? `${who}; backend ${instanceId} queued it again, to run from the start (interruption ${interruptions})`
                  : `${who}, interruption ${interruptions}: it is marked failed. Deploy again to converge.`,
            });
            const d = await deploymentStore.getDeployment(id);
            if (d) await events.deployment(outcome === 'queued' ? 'deployment.queued' : 'deployment.finished', d.appId, d.envId, id, d.status);
          },
          onHandedBack: async id => {
            await deploymentStore.appendLog(id, { level: 'warn', message: `Backend ${instanceId} is stopping: it handed this deployment back to the queue` });
          },
          run: (deployment, lease) =>
            runDeployment(
              {
                store,
                deploymentStore,
                definitions,
                drivers,
                secrets,
                events,
                logger,
                delivery,
                renderWorkers,
                nodeConcurrency: config.getOptionalNumber('orchestrator.deployments.nodeConcurrency'),
              },
              deployment,
              lease,
            ),
        });
        const deploymentService = new DeploymentService({
          store,
          deploymentStore,
          deliveredSecrets,
          definitions,
          drivers,
          secrets,
          activeDrivers,
          events,
          logger,
          onQueued: () => runner.wake(),
        });

        const drift = DriftReconciler.fromConfig(config, {
          driftReports: await DatabaseDriftReportStore.create({ database }),
          store,
          deploymentStore,
          activeDrivers,
          gitops,
          deploymentService,
          replicas,
          logger: logger.child({ task: 'drift' }),
        });
        await drift.schedule(config, deps.scheduler);

        const gitWatcher = new GitWatcher({
          watchState: await DatabaseGitWatchStateStore.create({ database }),
          deploymentService,
          cacheDir: path.join(dataDir, 'watched'),
          logger: logger.child({ task: 'git-watch' }),
          repositories: async () => {
            const apps = await store.listApps();
            const withoutRepository = new Set(apps.filter(app => !app.repository).map(app => app.id));
            const fromCatalog = await repositoriesFromCatalog({
              catalog: deps.catalog,
              auth: deps.auth,
              follows: app => withoutRepository.has(app),
            }).catch(error => {
              logger.debug(`Could not read repositories from the catalog: ${error}`);
              return [];
            });
            return [
              ...GitWatcher.repositoriesInConfig(config),
              ...apps.flatMap(app => (app.repository ? [{ ...app.repository, app: app.id, source: 'app' as const }] : [])),
              ...fromCatalog,
            ];
          },
        });
        await deps.scheduler.scheduleTask({
          id: 'orchestrator:git-watch',
          frequency: { seconds: config.getOptionalNumber('orchestrator.gitWatch.intervalSeconds') ?? 10 },
          timeout: { minutes: 5 },
          fn: async () => {
            await gitWatcher.poll();
          },
        });
        httpRouter.addAuthPolicy({ path: '/webhooks/git', allow: 'unauthenticated' });

        registerEnvironmentPermissions(permissionsRegistry, store);

        httpRouter.use(
          await createRouter({
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            store,
            deploymentStore,
            definitions,
            deploymentService,
            drift,
            gitWatcher,
            webhookSecret: () => config.getOptionalString('orchestrator.gitWatch.webhookSecret'),
            permissionCacheMs: (config.getOptionalNumber('orchestrator.permissionCacheSeconds') ?? 5) * 1000,
            secretKeysOf: ciphertext => (ciphertext ? secrets.keysOf(ciphertext) : []),
            lastRuns: async resources => {
              const byTerraform = new Set(definitions.all().filter(d => d.definition.spec.driver === terraform.id).map(d => d.definition.metadata.id));
              const guresids = resources.filter(r => byTerraform.has(r.definitionId)).map(r => r.guresid);
              return guresids.length ? terraform.lastRuns(guresids) : new Map();
            },
            // Backstage puts stack traces in error bodies whenever NODE_ENV is
            // development; where orchestrator.showStackTraces is set, it
            // decides (false in app-config.production.yaml).
            errorHandler: MiddlewareFactory.create({ config, logger }).error({
              showStackTraces: config.getOptionalBoolean('orchestrator.showStackTraces'),
            }),
          }),
        );

        lifecycle.addStartupHook(async () => {
          // Loading the workers takes a moment; the first deployment waits for it if it comes sooner.
          renderWorkers.start().catch(error => logger.warn(`Render workers did not start: ${error.message}`));
          await replicas.start();
          await replicas.assertSharedGitOps().catch(error => logger.error(error.message));
          await runner.start();
        });
        lifecycle.addShutdownHook(async () => {
          platformConfig.close();
          await runner.stop();
          await replicas.stop();
          await renderWorkers.close();
          await terraform.close();
        });
      },
    });
  },
});

/**
 * This instance's id, kept in its data folder so that after a crash the
 * restarted instance recognizes the deployment locks it held.
 */
function instanceIdIn(dataDir: string): string {
  const file = path.join(dataDir, 'instance-id');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    const id = `${os.hostname()}-${randomUUID().slice(0, 8)}`;
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, id);
    return id;
  }
}
