import express from 'express';
import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  orchestratorDefinitionManagePermission,
  orchestratorEnvironmentManagePermission,
  orchestratorReadPermission,
} from '@baton/backstage-plugin-orchestrator-common';
import { createOpenApiRouter } from '../schema/openapi.generated';
import { OrchestratorStore } from '../database/OrchestratorStore';
import { environmentResourceId } from '../permissions';

/** @internal */
export interface RouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  store: OrchestratorStore;
}

/**
 * The orchestrator's REST API under `/api/orchestrator`, built from the
 * OpenAPI document in `src/schema/openapi.yaml` (requests are validated
 * against it). Every route needs a Backstage user or service token and the
 * permission of what it does.
 *
 * @internal
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, permissions, store } = options;
  const router = await createOpenApiRouter();

  async function authorize(
    req: express.Request,
    permission: BasicPermission | ResourcePermission,
    resourceRef?: string,
  ): Promise<BackstageCredentials> {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const [decision] = await permissions.authorize(
      [
        permission.type === 'resource'
          ? { permission, resourceRef: resourceRef! }
          : { permission },
      ],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `${permission.name} is not allowed${resourceRef ? ` on ${resourceRef}` : ''}`,
      );
    }
    return credentials;
  }

  async function requireApp(id: string) {
    const app = await store.getApp(id);
    if (!app) throw new NotFoundError(`No app ${id}`);
    return app;
  }

  router.get('/health', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ status: 'ok' });
  });

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
    res.json(await requireApp(req.params.app));
  });

  router.put('/apps/:app', async (req, res) => {
    await authorize(req, orchestratorEnvironmentManagePermission, req.params.app);
    res.json(
      await store.putApp({
        id: req.params.app,
        title: req.body.title,
        entityRef: req.body.entityRef,
      }),
    );
  });

  router.delete('/apps/:app', async (req, res) => {
    await authorize(req, orchestratorEnvironmentManagePermission, req.params.app);
    if (!(await store.deleteApp(req.params.app))) {
      throw new NotFoundError(`No app ${req.params.app}`);
    }
    res.status(204).end();
  });

  router.get('/apps/:app/envs', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    await requireApp(req.params.app);
    res.json({ items: await store.listEnvironments(req.params.app) });
  });

  router.get('/apps/:app/envs/:env', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    const env = await store.getEnvironment(req.params.app, req.params.env);
    if (!env) {
      throw new NotFoundError(`No environment ${req.params.app}/${req.params.env}`);
    }
    res.json(env);
  });

  router.put('/apps/:app/envs/:env', async (req, res) => {
    const { app, env } = req.params;
    await authorize(
      req,
      orchestratorEnvironmentManagePermission,
      environmentResourceId(app, env),
    );
    if (req.body.cloneFrom && !(await store.getEnvironment(app, req.body.cloneFrom))) {
      throw new NotFoundError(`No environment ${app}/${req.body.cloneFrom} to clone`);
    }
    res.json(
      await store.putEnvironment({
        appId: app,
        id: env,
        type: req.body.type,
        clonedFrom: req.body.cloneFrom,
      }),
    );
  });

  router.delete('/apps/:app/envs/:env', async (req, res) => {
    const { app, env } = req.params;
    await authorize(
      req,
      orchestratorEnvironmentManagePermission,
      environmentResourceId(app, env),
    );
    if (!(await store.deleteEnvironment(app, env))) {
      throw new NotFoundError(`No environment ${app}/${env}`);
    }
    res.status(204).end();
  });

  return router;
}
