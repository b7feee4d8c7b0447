import express from 'express';
import { ErrorRequestHandler, RequestHandler } from 'express';
import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CustomErrorBase, InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  budgetProblem,
  InputBudget,
  orchestratorDefinitionManagePermission,
  orchestratorDeploymentCreatePermission,
  orchestratorEnvironmentManagePermission,
  orchestratorReadPermission,
  ValidationError,
} from '@baton/backstage-plugin-orchestrator-common';
import { createOpenApiRouter } from '../schema/openapi.generated';
import { pushedRepositories } from './gitWebhook';
import { OrchestratorStore } from '../database/OrchestratorStore';
import { ActiveResourceRecord, DeploymentRecord, DeploymentStatus, DeploymentStore } from '../database/DeploymentStore';
import { environmentResourceId } from '../permissions';
import { DefinitionService, ImpactConflictError } from './DefinitionService';
import { DeploymentService } from './DeploymentService';
import type { GraphView } from '@baton/backstage-plugin-orchestrator-node';
import type { DeploymentPlan } from '@baton/backstage-plugin-orchestrator-common';
import { DriftReconciler } from './DriftReconciler';
import { GitWatcher } from './GitWatcher';
import { DecisionCache } from './DecisionCache';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];
const BODY_LIMIT = '10mb';
/** JSON bodies: deep nesting would overflow the stack of every recursive step after parsing. */
const BODY_BUDGET: InputBudget = { maxNodes: 1_000_000, maxChars: 10 * 1024 * 1024, maxDepth: 64 };

/** A request body over the size limit (413). */
class PayloadTooLargeError extends CustomErrorBase {
  name = 'PayloadTooLargeError' as const;
  statusCode = 413;
}

/**
 * Body parser errors as plain 4xx errors: theirs carry the raw body, and
 * JSON syntax messages quote it, which may hold secrets.
 */
const bodyErrors: ErrorRequestHandler = (error, _req, _res, next) => {
  if (error?.type === 'entity.too.large') {
    next(new PayloadTooLargeError(`The request body is larger than ${BODY_LIMIT}`));
  } else if (error?.type === 'entity.parse.failed') {
    const position = /position (\d+)/.exec(String(error.message))?.[1];
    next(new InputError(`The request body is not valid JSON${position ? ` (at position ${position})` : ''}`));
  } else if (typeof error?.type === 'string' && error.status < 500) {
    next(new InputError(`The request body cannot be read: ${error.message}`));
  } else {
    next(error);
  }
};

const bodyWithinBudget: RequestHandler = (req, _res, next) => {
  const problem = req.body && typeof req.body === 'object' ? budgetProblem([req.body], BODY_BUDGET) : undefined;
  next(problem ? new InputError(`The request body is over budget: ${problem}`) : undefined);
};

/** The API view of an active resource: secret outputs only as keys. */
function resourceView(r: ActiveResourceRecord, secretKeys: string[], envType?: string, lastRun?: ResourceRunSummary) {
  return {
    app: r.appId,
    env: r.envId,
    ...(envType ? { envType } : {}),
    workloads: r.workloads ?? [],
    uid: r.uid,
    resId: r.resId,
    type: r.type,
    class: r.class,
    guresid: r.guresid,
    definition: r.definitionId,
    status: r.status,
    outputs: r.outputs,
    secretOutputs: secretKeys,
    updatedAt: r.updatedAt,
    ...(lastRun ? { lastRun } : {}),
  };
}

/** What a driver's last run of a resource changed (the terraform driver's plan summary). @internal */
export type ResourceRunSummary = {
  operation: 'apply' | 'destroy' | 'plan';
  add: number;
  change: number;
  destroy: number;
  at: string;
};

/** Who asked: the user's entity ref, or the calling service. */
function actorOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as { type?: string; userEntityRef?: string; subject?: string };
  return principal.type === 'user' && principal.userEntityRef
    ? principal.userEntityRef
    : `service:${principal.subject ?? 'unknown'}`;
}

function deploymentView(d: DeploymentRecord) {
  const { appId, envId, ...rest } = d;
  return { app: appId, env: envId, ...rest };
}

/** @internal */
export interface RouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  store: OrchestratorStore;
  deploymentStore: DeploymentStore;
  definitions: DefinitionService;
  deploymentService: DeploymentService;
  drift: DriftReconciler;
  gitWatcher: GitWatcher;
  /** `orchestrator.gitWatch.webhookSecret`, read per request so that a change applies at once. */
  webhookSecret?: () => string | undefined;
  /** How long a permission decision is reused (ms); 0 asks the policy every time. */
  permissionCacheMs?: number;
  /** Lists the keys of an encrypted secret-outputs value. */
  secretKeysOf: (ciphertext: string | undefined) => string[];
  /** The last driver run of those resources that have one, by guresid (never their state). */
  lastRuns?: (resources: ActiveResourceRecord[]) => Promise<Map<string, ResourceRunSummary>>;
  /** Renders every error of the API (Backstage's error body); the plugin's default handler otherwise. */
  errorHandler?: ErrorRequestHandler;
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
  const { httpAuth, permissions, store, deploymentStore, definitions, deploymentService } = options;
  const decisions = new DecisionCache(options.permissionCacheMs ?? 0);
  // Bodies are parsed ahead of the OpenAPI router, which would turn every
  // error of its own middleware into a 400 (a body over the limit included).
  const api = express.Router();
  // The webhook's signature is over the body's bytes, not its parsed form. Only
  // there: a parser that keeps the bytes decodes them in one piece at the end,
  // which for a deployment of megabytes held the event loop; without, each
  // chunk is decoded as it arrives.
  const rawBodies = new WeakMap<object, Buffer>();
  api.use('/webhooks/git', express.json({ limit: BODY_LIMIT, verify: (req, _res, buf) => rawBodies.set(req, buf) }));
  api.use(express.json({ limit: BODY_LIMIT }), express.text({ type: YAML_TYPES, limit: BODY_LIMIT }), bodyErrors);
  const router = await createOpenApiRouter({ middleware: [bodyWithinBudget] });
  api.use(router);

  async function authorize(
    req: express.Request,
    permission: BasicPermission | ResourcePermission,
    resourceRef?: string,
  ): Promise<BackstageCredentials> {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const key = DecisionCache.keyOf(credentials, permission.name, resourceRef);
    let result = key ? decisions.get(key) : undefined;
    if (result === undefined) {
      const [decision] = await permissions.authorize(
        [
          permission.type === 'resource'
            ? { permission, resourceRef: resourceRef! }
            : { permission },
        ],
        { credentials },
      );
      result = decision.result;
      if (key) decisions.set(key, result);
    }
    if (result !== AuthorizeResult.ALLOW) {
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
        deployMode: req.body.deployMode,
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

  async function requireEnv(app: string, env: string) {
    const record = await store.getEnvironment(app, env);
    if (!record) throw new NotFoundError(`No environment ${app}/${env}`);
    return record;
  }

  const pageLimit = (value: unknown, fallback: number) => (value ? Number(value) : fallback);

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

  router.get('/apps/:app/envs/:env/deployments', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    const { app, env } = req.params;
    await requireEnv(app, env);
    const page = await deploymentStore.listDeployments(app, env, {
      limit: pageLimit(req.query.limit, 50),
      cursor: req.query.cursor as string | undefined,
    });
    res.json({ items: page.items.map(deploymentView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
  });

  router.post('/apps/:app/envs/:env/deployments', async (req, res) => {
    const { app, env } = req.params;
    const environment = await requireEnv(app, env);
    if (req.body.dryRun) {
      await authorize(req, orchestratorReadPermission);
      res.status(200).json({ plan: await deploymentService.plan(app, env, req.body) });
      return;
    }
    const credentials = await authorize(
      req,
      orchestratorDeploymentCreatePermission,
      environmentResourceId(app, environment.id),
    );
    const createdBy = actorOf(credentials);
    const deployment = await deploymentService.create(app, env, req.body, createdBy);
    res.status(202).json({ id: deployment.id, status: deployment.status });
  });

  async function requireDeployment(app: string, env: string, id: string) {
    const deployment = await deploymentStore.getDeployment(id);
    if (!deployment || deployment.appId !== app || deployment.envId !== env) {
      throw new NotFoundError(`No deployment ${id} in ${app}/${env}`);
    }
    return deployment;
  }

  router.get('/apps/:app/envs/:env/deployments/:id', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    const { app, env, id } = req.params;
    const deployment = await requireDeployment(app, env, id);
    const summary = req.query.nodes === 'false';
    const [nodes, nodeCounts, artifacts] = await Promise.all([
      summary ? undefined : deploymentStore.listNodes(id),
      deploymentStore.countNodes(id),
      summary ? { diff: undefined } : deploymentStore.getArtifacts(id, ['diff']),
    ]);
    res.json({ ...deploymentView(deployment), nodes, nodeCounts, diff: (artifacts.diff as Record<string, unknown>) ?? undefined });
  });

  router.get('/apps/:app/envs/:env/deployments/:id/log', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    const { app, env, id } = req.params;
    await requireDeployment(app, env, id);
    const after = req.query.after ? Number(req.query.after) : undefined;
    res.json({ lines: await deploymentStore.readLog(id, after) });
  });

  router.get('/apps/:app/envs/:env/deployments/:id/manifests', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    const { app, env, id } = req.params;
    await requireDeployment(app, env, id);
    const { delivered } = await deploymentStore.getArtifacts(id, ['delivered']);
    if (!delivered) throw new NotFoundError(`Deployment ${id} delivered no manifests`);
    res.json({ files: delivered });
  });

  router.get('/apps/:app/envs/:env/deployments/:id/plan', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    const { app, env, id } = req.params;
    await requireDeployment(app, env, id);
    const { plan } = await deploymentStore.getArtifacts(id, ['plan']);
    if (!plan) throw new NotFoundError(`Deployment ${id} kept no plan: it stopped before delivering`);
    res.json(plan as DeploymentPlan);
  });

  router.post('/apps/:app/envs/:env/deployments/:id/rollback', async (req, res) => {
    const { app, env, id } = req.params;
    if (req.query.dryRun === 'true') {
      await authorize(req, orchestratorReadPermission);
      const target = await requireDeployment(app, env, id);
      const set = await deploymentService.getSet(target.setId);
      res.status(200).json({ plan: await deploymentService.plan(app, env, set) });
      return;
    }
    const credentials = await authorize(req, orchestratorDeploymentCreatePermission, environmentResourceId(app, env));
    const target = await requireDeployment(app, env, id);
    const set = await deploymentService.getSet(target.setId);
    const queued = await deploymentService.queueSet(app, env, set.workloads, actorOf(credentials), `Rollback to deployment ${id}`);
    res.status(202).json({ id: queued.id, status: queued.status });
  });

  router.post('/apps/:app/envs/:env/promote', async (req, res) => {
    const { app, env } = req.params;
    await requireEnv(app, env);
    const dryRun = req.query.dryRun === 'true';
    // A plan changes nothing, so reading is enough, as for a dry-run deployment.
    const credentials = dryRun
      ? await authorize(req, orchestratorReadPermission)
      : await authorize(req, orchestratorDeploymentCreatePermission, environmentResourceId(app, env));
    const source = await deploymentStore.getLastSucceeded(app, req.body.from);
    if (!source) throw new NotFoundError(`Environment ${app}/${req.body.from} has no successful deployment to promote`);
    const set = await deploymentService.getSet(source.setId);
    if (dryRun) {
      res.status(200).json({ plan: await deploymentService.plan(app, env, set) });
      return;
    }
    const queued = await deploymentService.queueSet(app, env, set.workloads, actorOf(credentials), `Promote from ${req.body.from} (deployment ${source.id})`);
    res.status(202).json({ id: queued.id, status: queued.status });
  });

  router.get('/apps/:app/envs/:env/graph', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    const { app, env } = req.params;
    const last = await deploymentStore.getLastSucceeded(app, env);
    if (!last) throw new NotFoundError(`Environment ${app}/${env} has no successful deployment`);
    const { graph } = await deploymentStore.getArtifacts(last.id, ['graph']);
    res.json({ deploymentId: last.id, ...(graph as GraphView) });
  });

  router.get('/apps/:app/envs/:env/resources', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    const { app, env } = req.params;
    const environment = await requireEnv(app, env);
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

  router.get('/deployments', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    const page = await deploymentStore.listAllDeployments({
      status: req.query.status as DeploymentStatus | undefined,
      limit: pageLimit(req.query.limit, 50),
      cursor: req.query.cursor as string | undefined,
    });
    res.json({ items: page.items.map(deploymentView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
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
    res.json({
      items: page.items.map(r =>
        resourceView(r, r.secretOutputNames ?? options.secretKeysOf(r.secretOutputs), envTypes.get(`${r.appId}/${r.envId}`), runs.get(r.guresid)),
      ),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    });
  });

  router.get('/explain', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    const { type, app, env, resId } = req.query as Record<string, string>;
    const envType = (req.query.envType as string | undefined) || (await requireEnv(app, env)).type;
    const result = definitions.index().explain(
      { type, class: (req.query.class as string) || 'default', resId },
      { appId: app, envId: env, envType },
    );
    res.json({ ...result });
  });

  router.get('/apps/:app/envs/:env/drift', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    const { app, env } = req.params;
    await requireEnv(app, env);
    res.json({ ...(await options.drift.report(app, env)) });
  });

  router.post('/apps/:app/envs/:env/drift', async (req, res) => {
    const { app, env } = req.params;
    await authorize(req, orchestratorEnvironmentManagePermission, environmentResourceId(app, env));
    await requireEnv(app, env);
    res.json({ ...(await options.drift.check(app, env)) });
  });

  router.post('/webhooks/git', async (req, res) => {
    // A notification only triggers a poll of watched repositories; nothing in
    // the body is deployed. With a webhook secret configured it must be signed.
    const repositories = pushedRepositories(
      { headers: req.headers, rawBody: rawBodies.get(req), body: req.body },
      options.webhookSecret?.(),
    );
    res.status(202).json({ queued: await options.gitWatcher.poll(repositories) });
  });

  router.get('/secrets/:app/:env/:secret', async (req, res) => {
    // Only services (the External Secrets webhook with a static token) read delivered secrets.
    await httpAuth.credentials(req, { allow: ['service'] });
    const { app, env, secret } = req.params;
    res.json({ data: await deploymentService.deliveredSecret(app, env, secret) });
  });

  router.get('/secrets/:app/:env/:secret/:key', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['service'] });
    const { app, env, secret, key } = req.params;
    const data = await deploymentService.deliveredSecret(app, env, secret);
    if (!Object.hasOwn(data, key)) throw new NotFoundError(`Delivered secret ${app}/${env}/${secret} has no key ${key}`);
    res.json({ value: data[key] });
  });

  // Validation errors name the file, line and field of every problem.
  const validationErrors: ErrorRequestHandler = (error, _req, res, next) => {
    if (error instanceof ValidationError) {
      res.status(400).json({
        error: { name: 'InputError', message: error.message },
        details: error.diagnostics,
      });
      return;
    }
    // The impact guard's 409 lists the resources a definition change would re-match, for a client to show.
    if (error instanceof ImpactConflictError) {
      res.status(409).json({ error: { name: 'ConflictError', message: error.message }, impacts: error.impacts });
      return;
    }
    next(error);
  };
  router.use(validationErrors);

  // Unknown paths (an empty id such as /apps//envs included) get an error body like every other error.
  api.use((req, _res, next) => next(new NotFoundError(`No route ${req.method} ${req.path}`)));
  if (options.errorHandler) api.use(options.errorHandler);

  return api;
}

export { InputError };
