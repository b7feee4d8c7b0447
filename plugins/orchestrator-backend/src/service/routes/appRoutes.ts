import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  orchestratorDefinitionManagePermission,
  orchestratorEnvironmentManagePermission,
  orchestratorReadPermission,
} from '@baton/backstage-plugin-orchestrator-common';
import { environmentResourceId } from '../../permissions';
import { EnvironmentRecord } from '../../database/OrchestratorStore';
import { parseTtl } from '../isoDuration';
import { RouteContext } from './RouteContext';

/** An environment as the API shows it: a preview's source and page, not where the watcher reads it from. */
function environmentView(env: EnvironmentRecord) {
  const { preview, ...rest } = env;
  return { ...rest, ...(preview ? { preview: { source: preview.source, branch: preview.branch, ...(preview.url ? { url: preview.url } : {}) } } : {}) };
}

/** `ttl` of a request: absent keeps the expiry, null removes it, a duration expires the environment that long from now. */
function ttlOf(body: { ttl?: string | null }) {
  if (body.ttl === undefined || body.ttl === null) return body.ttl;
  return { ttl: body.ttl, expiresAt: new Date(Date.now() + parseTtl(body.ttl)) };
}

/** Environment types, apps and their environments: /env-types, /apps, /apps/{app}/envs. */
export function registerAppRoutes({ router, options, authorize, requireApp }: RouteContext): void {
  const { store } = options;

  router.get('/env-types', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    res.json({ items: await store.listEnvironmentTypes() });
  });

  router.get('/env-types/:id', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    const type = await store.getEnvironmentType(req.params.id);
    if (!type) throw new NotFoundError(`No environment type ${req.params.id}`);
    res.json(type);
  });

  router.put('/env-types/:id', async (req, res) => {
    await authorize(req, orchestratorDefinitionManagePermission);
    res.json(
      await store.putEnvironmentType({
        id: req.params.id,
        name: req.body.name,
        approval: req.body.approval,
        source: 'api',
      }),
    );
  });

  router.delete('/env-types/:id', async (req, res) => {
    await authorize(req, orchestratorDefinitionManagePermission);
    if (!(await store.deleteEnvironmentType(req.params.id))) {
      throw new NotFoundError(`No environment type ${req.params.id}`);
    }
    res.status(204).end();
  });

  router.get('/apps', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    res.json({ items: await store.listApps() });
  });

  router.get('/apps/:app', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    const app = await requireApp(req.params.app);
    res.json({ ...app, watch: await options.gitWatcher.watchOf(app.id) });
  });

  router.put('/apps/:app', async (req, res) => {
    await authorize(req, orchestratorEnvironmentManagePermission, req.params.app);
    res.json(
      await store.putApp({
        id: req.params.app,
        title: req.body.title,
        entityRef: req.body.entityRef,
        repository: req.body.repository,
      }),
    );
  });

  router.delete('/apps/:app', async (req, res) => {
    const { app } = req.params;
    await authorize(req, orchestratorEnvironmentManagePermission, app);
    await requireApp(app);
    // Each environment goes as DELETE of it would: a policy guarding one guards the app too, before anything goes.
    for (const env of await store.listEnvironments(app)) {
      await authorize(req, orchestratorEnvironmentManagePermission, environmentResourceId(app, env.id));
    }
    const { remaining } = await options.teardown.deleteApp(app);
    if (!remaining.length) {
      res.status(204).end();
      return;
    }
    res.status(202).json({
      teardown: 'app-deleted',
      message: `${app} is being deleted: ${remaining.map(env => `${app}/${env}`).join(', ')} ${remaining.length > 1 ? 'are' : 'is'} torn down once the queued and running deployments finish, and the app with the last`,
    });
  });

  router.get('/apps/:app/envs', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    await requireApp(req.params.app);
    res.json({ items: (await store.listEnvironments(req.params.app)).map(environmentView) });
  });

  router.get('/apps/:app/envs/:env', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    const env = await store.getEnvironment(req.params.app, req.params.env);
    if (!env) {
      throw new NotFoundError(`No environment ${req.params.app}/${req.params.env}`);
    }
    res.json(environmentView(env));
  });

  router.put('/apps/:app/envs/:env', async (req, res) => {
    const { app, env } = req.params;
    await authorize(
      req,
      orchestratorEnvironmentManagePermission,
      environmentResourceId(app, env),
    );
    const ttl = ttlOf(req.body);
    if (req.body.cloneFrom && !(await store.getEnvironment(app, req.body.cloneFrom))) {
      throw new NotFoundError(`No environment ${app}/${req.body.cloneFrom} to clone`);
    }
    const existing = await store.getEnvironment(app, env);
    if (existing?.teardown) throw new ConflictError(`${app}/${env} is being torn down (${existing.teardown})`);
    const saved = await store.putEnvironment({
      appId: app,
      id: env,
      type: req.body.type,
      deployMode: req.body.deployMode,
      clonedFrom: req.body.cloneFrom,
      ttl,
    });
    res.json(environmentView(saved));
  });

  router.delete('/apps/:app/envs/:env', async (req, res) => {
    const { app, env } = req.params;
    await authorize(
      req,
      orchestratorEnvironmentManagePermission,
      environmentResourceId(app, env),
    );
    const existing = await store.getEnvironment(app, env);
    if (!existing) throw new NotFoundError(`No environment ${app}/${env}`);
    // Marked first (no deployment starts meanwhile), then torn down here; or joined if already going.
    await options.teardown.request(app, env, 'deleted');
    const outcome = await options.teardown.tearDown(app, env);
    if (outcome === 'deleted' || !(await store.getEnvironment(app, env))) {
      res.status(204).end();
      return;
    }
    const teardown = existing.teardown ?? 'deleted';
    const why = outcome === 'busy' ? 'after its queued and running deployments' : 'by the next expiry check';
    res.status(202).json({ teardown, message: `${app}/${env} is being torn down; it is deleted ${why}` });
  });
}
