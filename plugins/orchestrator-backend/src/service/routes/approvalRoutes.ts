import { orchestratorDeploymentApprovePermission } from '@baton/backstage-plugin-orchestrator-common';
import { environmentResourceId } from '../../permissions';
import { actorOf } from './deploymentRoutes';
import { deploymentView } from './responseViews';
import { RouteContext } from './RouteContext';

/**
 * Approving and rejecting deployments that await approval: by a caller
 * holding orchestrator.deployment.approve on the environment, never by the
 * deployment's requester.
 */
export function registerApprovalRoutes(context: RouteContext): void {
  const { router, options, authorize, requireDeployment } = context;
  const { approvals } = options.deploymentService;

  router.post('/apps/:app/envs/:env/deployments/:id/approve', async (req, res) => {
    const { app, env, id } = req.params;
    // Permission first: a caller without it learns nothing of which deployments exist.
    const credentials = await authorize(req, orchestratorDeploymentApprovePermission, environmentResourceId(app, env));
    const deployment = await requireDeployment(app, env, id);
    const decided = await approvals.decide(deployment, { decision: 'approve', decidedBy: actorOf(credentials), comment: req.body?.comment });
    res.json(deploymentView(decided));
  });

  router.post('/apps/:app/envs/:env/deployments/:id/reject', async (req, res) => {
    const { app, env, id } = req.params;
    const credentials = await authorize(req, orchestratorDeploymentApprovePermission, environmentResourceId(app, env));
    const deployment = await requireDeployment(app, env, id);
    const decided = await approvals.decide(deployment, { decision: 'reject', decidedBy: actorOf(credentials), comment: req.body?.comment });
    res.json(deploymentView(decided));
  });
}
