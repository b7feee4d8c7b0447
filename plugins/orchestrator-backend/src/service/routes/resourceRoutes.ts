import {
  orchestratorEnvironmentManagePermission,
  orchestratorReadPermission,
} from '@baton/backstage-plugin-orchestrator-common';
import { ActiveResourceRecord } from '../../database/DeploymentStore';
import { environmentResourceId } from '../../permissions';
import { resourceView } from './responseViews';
import { pageBody, pageLimit } from './paging';
import { RouteContext } from './RouteContext';

/**
 * Active resources: an environment's, all of them (paged), deprovisioning
 * one, and the environment's drift (the last report, or a check now).
 */
export function registerResourceRoutes({ router, options, authorize, requireEnvironment }: RouteContext): void {
  const { store, deploymentStore, deploymentService } = options;

  router.get('/apps/:app/envs/:env/resources', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    const { app, env } = req.params;
    const environment = await requireEnvironment(app, env);
    const resources = await deploymentStore.listResources(app, env);
    const runs = (await options.lastRuns?.(resources)) ?? new Map();
    res.json(
      resources.map(r => resourceView(r, r.secretOutputNames ?? options.secretKeysOf(r.secretOutputs), environment.type, runs.get(r.guresid))),
    );
  });

  router.delete('/apps/:app/envs/:env/resources/:uid', async (req, res) => {
    const { app, env, uid } = req.params;
    await authorize(req, orchestratorEnvironmentManagePermission, environmentResourceId(app, env));
    await deploymentService.deprovision(app, env, uid, { force: req.query.force === 'true' });
    res.status(204).end();
  });

  router.get('/resources', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    const page = await deploymentStore.listAllResources({
      status: req.query.status as ActiveResourceRecord['status'] | undefined,
      app: req.query.app as string | undefined,
      env: req.query.env as string | undefined,
      limit: pageLimit(req.query.limit, 100),
      cursor: req.query.cursor as string | undefined,
    });
    const envTypes = new Map<string, string | undefined>();
    for (const r of page.items) {
      const key = `${r.appId}/${r.envId}`;
      if (!envTypes.has(key)) envTypes.set(key, (await store.getEnvironment(r.appId, r.envId))?.type);
    }
    const runs = (await options.lastRuns?.(page.items)) ?? new Map();
    res.json(
      pageBody(page, r =>
        resourceView(r, r.secretOutputNames ?? options.secretKeysOf(r.secretOutputs), envTypes.get(`${r.appId}/${r.envId}`), runs.get(r.guresid)),
      ),
    );
  });

  router.get('/apps/:app/envs/:env/drift', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    const { app, env } = req.params;
    await requireEnvironment(app, env);
    res.json({ ...(await options.drift.report(app, env)) });
  });

  router.post('/apps/:app/envs/:env/drift', async (req, res) => {
    const { app, env } = req.params;
    await authorize(req, orchestratorEnvironmentManagePermission, environmentResourceId(app, env));
    await requireEnvironment(app, env);
    res.json({ ...(await options.drift.check(app, env)) });
  });
}
