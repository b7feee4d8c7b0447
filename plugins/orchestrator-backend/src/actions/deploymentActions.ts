import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import {
  orchestratorDeploymentCreatePermission,
  orchestratorReadPermission,
} from '@baton/backstage-plugin-orchestrator-common';
import { environmentResourceId } from '../permissions';
import { promotionFrom, Redeployment, rollbackTo } from '../service/redeployments';
import { actorOf } from '../service/routes/deploymentRoutes';
import { ActionContext } from './ActionContext';
import {
  deploymentAnswer,
  dryRunInput,
  environmentInput,
  planOutput,
  requestOutput,
  workloadsInput,
} from './actionSchemas';

/**
 * plan, deploy, promote and rollback: the deployment routes' operations.
 * A dry run (and plan) needs read permission, as the routes' dry runs do;
 * the rest needs orchestrator.deployment.create on `<app>/<env>`. The
 * permission is checked before the environment is looked up, so a caller
 * without it learns nothing of which environments exist.
 */
export function registerDeploymentActions(registry: ActionsRegistryService, context: ActionContext): void {
  const { authorize, requireEnvironment, run, deploymentService } = context;

  registry.register({
    name: 'plan',
    title: 'Plan a deployment',
    description:
      'Dry run of deploying Score workloads to an environment of an app: matches each resource to a resource definition ' +
      'and answers the resource graph with what deploying would do to each node (create, update, none, delete). ' +
      'Changes nothing. Secret outputs are listed by key only.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z => z.object({ ...environmentInput(z), workloads: workloadsInput(z) }),
      output: z => z.object({ plan: planOutput(z) }),
    },
    action: ({ input, credentials }) =>
      run(async () => {
        await authorize(credentials, orchestratorReadPermission);
        await requireEnvironment(input.app, input.env);
        return { output: { plan: await deploymentService.plan(input.app, input.env, input) } };
      }),
  });

  registry.register({
    name: 'deploy',
    title: 'Deploy Score workloads',
    description:
      'Deploys Score workloads to an environment of an app: queues a deployment that provisions the resources and ' +
      'delivers the manifests, and answers it at once (status queued, or awaiting-approval where the environment type ' +
      'requires approval); follow it with get-deployment-log. With dryRun, answers the plan instead and deploys nothing.',
    attributes: { destructive: true },
    schema: {
      input: z =>
        z.object({
          ...environmentInput(z),
          workloads: workloadsInput(z),
          comment: z.string().optional().describe('Why, kept in the deployment history'),
          dryRun: dryRunInput(z),
        }),
      output: requestOutput,
    },
    action: ({ input, credentials }) =>
      run(async () => {
        const { app, env } = input;
        await authorizeRequest(context, credentials, { app, env, dryRun: input.dryRun });
        await requireEnvironment(app, env);
        if (input.dryRun) return { output: { plan: await deploymentService.plan(app, env, input) } };
        const deployment = await deploymentService.create(app, env, input, actorOf(credentials));
        return { output: { deployment: deploymentAnswer(deployment) } };
      }),
  });

  registerRedeployment(registry, context, {
    name: 'promote',
    title: 'Promote to an environment',
    description:
      "Deploys the workloads of another environment's last successful deployment (from) to an environment of the same " +
      'app; resources are matched again for the target. Answers the queued deployment, or with dryRun the plan.',
    field: 'from',
    fieldDescription: 'Environment to promote from, e.g. staging',
    redeployment: (app, _env, from) => promotionFrom(context, app, from),
  });

  registerRedeployment(registry, context, {
    name: 'rollback',
    title: 'Roll back an environment',
    description:
      'Deploys again the workloads of an earlier deployment of the environment (see list-deployments for ids). ' +
      'Answers the queued deployment, or with dryRun the plan.',
    field: 'deploymentId',
    fieldDescription: 'Id of the deployment to go back to',
    redeployment: (app, env, deploymentId) => rollbackTo(context, app, env, deploymentId),
  });
}

/**
 * promote and rollback alike: a stored set deployed again to an environment
 * (or planned, with dryRun), under the permission a deploy asks; they differ
 * in the one input field that says which set.
 */
/** Read permission for a dry run; the create permission on the environment otherwise. */
function authorizeRequest(
  { authorize }: ActionContext,
  credentials: Parameters<ActionContext['authorize']>[0],
  request: { app: string; env: string; dryRun?: boolean },
): Promise<void> {
  return request.dryRun
    ? authorize(credentials, orchestratorReadPermission)
    : authorize(credentials, orchestratorDeploymentCreatePermission, environmentResourceId(request.app, request.env));
}

function registerRedeployment(
  registry: ActionsRegistryService,
  context: ActionContext,
  action: {
    name: string;
    title: string;
    description: string;
    /** The input field that says which set: `from`, `deploymentId`. */
    field: string;
    fieldDescription: string;
    redeployment: (app: string, env: string, value: string) => Promise<Redeployment>;
  },
): void {
  const { requireEnvironment, run, deploymentService } = context;
  registry.register({
    name: action.name,
    title: action.title,
    description: action.description,
    attributes: { destructive: true },
    schema: {
      input: z => {
        const field: Record<string, ReturnType<typeof z.string>> = { [action.field]: z.string().min(1).describe(action.fieldDescription) };
        return z.object({ ...environmentInput(z), ...field, dryRun: dryRunInput(z) });
      },
      output: requestOutput,
    },
    action: ({ input, credentials }) =>
      run(async () => {
        const { app, env } = input;
        await authorizeRequest(context, credentials, { app, env, dryRun: input.dryRun });
        await requireEnvironment(app, env);
        // The schema above holds the field, a non-empty string.
        const fields: Record<string, unknown> = input;
        const { set, comment } = await action.redeployment(app, env, String(fields[action.field]));
        if (input.dryRun) return { output: { plan: await deploymentService.plan(app, env, set) } };
        const deployment = await deploymentService.queueSet(app, env, set.workloads, actorOf(credentials), comment);
        return { output: { deployment: deploymentAnswer(deployment) } };
      }),
  });
}
