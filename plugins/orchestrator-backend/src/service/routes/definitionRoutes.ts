import {
  orchestratorDefinitionManagePermission,
  orchestratorReadPermission,
} from '@baton/backstage-plugin-orchestrator-common';
import { RouteContext } from './RouteContext';

/**
 * Resource definitions and what they are matched by: /resource-definitions,
 * /resource-types, /drivers, and /explain (which definition a resource
 * would get, and why).
 */
export function registerDefinitionRoutes({ router, options, authorize, requireEnvironment }: RouteContext): void {
  const { definitions } = options;

  router.get('/resource-definitions', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    res.json({ items: definitions.list() });
  });

  router.get('/resource-types', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    res.json({ items: definitions.resourceTypes(req.query.envType as string | undefined) });
  });

  router.get('/drivers', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    res.json(definitions.drivers());
  });

  router.get('/resource-definitions/:id', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    res.json(definitions.get(req.params.id));
  });

  router.put('/resource-definitions/:id', async (req, res) => {
    await authorize(req, orchestratorDefinitionManagePermission);
    res.json(
      await definitions.put(req.params.id, req.body, req.headers['content-type'], {
        force: req.query.force === 'true',
      }),
    );
  });

  router.delete('/resource-definitions/:id', async (req, res) => {
    await authorize(req, orchestratorDefinitionManagePermission);
    await definitions.delete(req.params.id, { force: req.query.force === 'true' });
    res.status(204).end();
  });

  router.get('/explain', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    const { type, app, env, resId } = req.query as Record<string, string>;
    const envType = (req.query.envType as string | undefined) || (await requireEnvironment(app, env)).type;
    const result = definitions.index().explain(
      { type, class: (req.query.class as string) || 'default', resId },
      { appId: app, envId: env, envType },
    );
    res.json({ ...result });
  });
}
