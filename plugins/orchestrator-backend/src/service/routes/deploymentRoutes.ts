import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  orchestratorDeploymentCreatePermission,
  orchestratorReadPermission,
} from '@baton/backstage-plugin-orchestrator-common';
import type { DeploymentPlan } from '@baton/backstage-plugin-orchestrator-common';
import type { GraphView } from '@baton/backstage-plugin-orchestrator-node';
import { DeploymentStatus } from '../../database/DeploymentStore';
import { environmentResourceId } from '../../permissions';
import { promotionFrom, rollbackTo } from '../redeployments';
import { deploymentView } from './responseViews';
import { DEPLOYMENTS_PAGE_SIZE, pageBody, pageLimit } from './paging';
import { RouteContext } from './RouteContext';

/** Who asked: the user's entity ref, or the calling service. */
export function actorOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as { type?: string; userEntityRef?: string; subject?: string };
  return principal.type === 'user' && principal.userEntityRef
    ? principal.userEntityRef
    : `service:${principal.subject ?? 'unknown'}`;
}

/**
 * Deployments and what they kept: listing and creating them (a dry run
 * answers the plan), one deployment with its nodes and diff, its log,
 * delivered manifests and stored plan, rollback and promote, and the
 * resource graph of an environment's last successful deployment.
 */
export function registerDeploymentRoutes(context: RouteContext): void {
  const { router, options, authorize, requireEnvironment, requireDeployment } = context;
  const { deploymentStore, deploymentService } = options;

  router.get('/deployments', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    const page = await deploymentStore.listAllDeployments({
      status: req.query.status as DeploymentStatus | undefined,
      limit: pageLimit(req.query.limit, DEPLOYMENTS_PAGE_SIZE),
      cursor: req.query.cursor as string | undefined,
    });
    res.json(pageBody(page, deploymentView));
  });

  router.get('/apps/:app/envs/:env/deployments', async (req, res) => {
    await authorize(req, orchestratorReadPermission);
    const { app, env } = req.params;
    await requireEnvironment(app, env);
    const page = await deploymentStore.listDeployments(app, env, {
      limit: pageLimit(req.query.limit, DEPLOYMENTS_PAGE_SIZE),
      cursor: req.query.cursor as string | undefined,
    });
    res.json(pageBody(page, deploymentView));
  });

  router.post('/apps/:app/envs/:env/deployments', async (req, res) => {
    const { app, env } = req.params;
    // Permission first: a caller without it learns nothing of which environments exist.
    if (req.body.dryRun) {
      await authorize(req, orchestratorReadPermission);
      await requireEnvironment(app, env);
      res.status(200).json({ plan: await deploymentService.plan(app, env, req.body) });
      return;
    }
    const credentials = await authorize(req, orchestratorDeploymentCreatePermission, environmentResourceId(app, env));
    await requireEnvironment(app, env);
    const createdBy = actorOf(credentials);
    const deployment = await deploymentService.create(app, env, req.body, createdBy);
    res.status(202).json({ id: deployment.id, status: deployment.status });
  });

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
    const deployment = await requireDeployment(app, env, id);
    const { delivered, proposed } = await deploymentStore.getArtifacts(id, ['delivered', 'proposed']);
    if (delivered) {
      res.json({ files: delivered, proposed: false });
      return;
    }
    // Kept when it was requested awaiting approval: what it would deliver.
    if (proposed) {
      res.json({ files: proposed.files, proposed: true, knownAfterProvisioning: proposed.knownAfterProvisioning });
      return;
    }
    if (deployment.status === 'awaiting-approval') {
      throw new NotFoundError(`Deployment ${id} awaits approval without proposed manifests: they could not be rendered (its log says why)`);
    }
    throw new NotFoundError(`Deployment ${id} delivered no manifests`);
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
      const { set } = await rollbackTo(options, app, env, id);
      res.status(200).json({ plan: await deploymentService.plan(app, env, set) });
      return;
    }
    const credentials = await authorize(req, orchestratorDeploymentCreatePermission, environmentResourceId(app, env));
    const { set, comment } = await rollbackTo(options, app, env, id);
    const queued = await deploymentService.queueSet(app, env, set.workloads, actorOf(credentials), comment);
    res.status(202).json({ id: queued.id, status: queued.status });
  });

  router.post('/apps/:app/envs/:env/promote', async (req, res) => {
    const { app, env } = req.params;
    const dryRun = req.query.dryRun === 'true';
    // A plan changes nothing, so reading is enough, as for a dry-run deployment. Permission
    // first: a caller without it learns nothing of which environments exist.
    const credentials = dryRun
      ? await authorize(req, orchestratorReadPermission)
      : await authorize(req, orchestratorDeploymentCreatePermission, environmentResourceId(app, env));
    await requireEnvironment(app, env);
    const { set, comment } = await promotionFrom(options, app, req.body.from);
    if (dryRun) {
      res.status(200).json({ plan: await deploymentService.plan(app, env, set) });
      return;
    }
    const queued = await deploymentService.queueSet(app, env, set.workloads, actorOf(credentials), comment);
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
}
