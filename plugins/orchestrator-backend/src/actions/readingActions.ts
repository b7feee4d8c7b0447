import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { InputError } from '@backstage/errors';
import { orchestratorReadPermission } from '@baton/backstage-plugin-orchestrator-common';
import { deploymentIn } from '../service/redeployments';
import { DEPLOYMENTS_PAGE_SIZE } from '../service/routes/paging';
import { ActionContext } from './ActionContext';
import { deploymentAnswer, deploymentOutput, environmentInput } from './actionSchemas';

const STATUSES = ['awaiting-approval', 'queued', 'running', 'succeeded', 'failed', 'cancelled', 'rejected'] as const;

/**
 * explain, list-deployments and get-deployment-log: what the read routes
 * answer, under orchestrator.read.
 */
export function registerReadingActions(registry: ActionsRegistryService, context: ActionContext): void {
  const { authorize, requireEnvironment, run, definitions, deploymentStore } = context;

  registry.register({
    name: 'explain',
    title: 'Explain resource matching',
    description:
      'Why a resource of an app/environment gets the resource definition it gets: every candidate criterion of the ' +
      'resource type, whether it matched and why not, its rank, and the definition chosen.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          ...environmentInput(z),
          type: z.string().min(1).describe('Resource type, e.g. postgres'),
          class: z.string().optional().describe('Resource class; default when not given'),
          resId: z.string().min(1).describe('Resource id, e.g. modules.web.externals.db or shared.db'),
          envType: z.string().optional().describe("Explain for an environment of this type; the environment's own type otherwise"),
        }),
      output: z =>
        z.object({
          type: z.string(),
          class: z.string(),
          resId: z.string(),
          context: z.object({ appId: z.string(), envId: z.string(), envType: z.string() }),
          chosen: z.string().nullable().describe('Id of the definition chosen, or null when none matches'),
          candidates: z.array(
            z.object({
              definition: z.string(),
              criterion: z.record(z.string()),
              matched: z.boolean(),
              reason: z.string(),
              rank: z.number(),
            }),
          ),
        }),
    },
    action: ({ input, credentials }) =>
      run(async () => {
        await authorize(credentials, orchestratorReadPermission);
        const envType = input.envType || (await requireEnvironment(input.app, input.env)).type;
        const explained = definitions.index().explain(
          { type: input.type, class: input.class || 'default', resId: input.resId },
          { appId: input.app, envId: input.env, envType },
        );
        return { output: explained };
      }),
  });

  registry.register({
    name: 'list-deployments',
    title: 'List deployments',
    description:
      'Deployments, newest first: of one environment of an app (app and env), or of every app and environment ' +
      '(neither), optionally only those of one status. Pages with limit and the nextCursor of the previous page.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          app: z.string().min(1).optional().describe('App id; with env, only that environment'),
          env: z.string().min(1).optional().describe('Environment id; needs app'),
          status: z.enum(STATUSES).optional().describe('Only deployments of this status (across apps only)'),
          limit: z.number().int().min(1).max(200).optional().describe(`Page size, ${DEPLOYMENTS_PAGE_SIZE} by default`),
          cursor: z.string().optional().describe('nextCursor of the previous page'),
        }),
      output: z =>
        z.object({
          items: z.array(deploymentOutput(z)),
          nextCursor: z.string().optional().describe('Set while more deployments follow'),
        }),
    },
    action: ({ input, credentials }) =>
      run(async () => {
        await authorize(credentials, orchestratorReadPermission);
        const { app, env, status, cursor } = input;
        const limit = input.limit ?? DEPLOYMENTS_PAGE_SIZE;
        if (Boolean(app) !== Boolean(env)) {
          throw new InputError(app ? 'env: give the environment of app, or neither to list every app' : 'app: give the app of env, or neither to list every app');
        }
        if (app && env && status) throw new InputError('status: filters deployments across apps only; leave out app and env');
        let page;
        if (app && env) {
          await requireEnvironment(app, env);
          page = await deploymentStore.listDeployments(app, env, { limit, cursor });
        } else {
          page = await deploymentStore.listAllDeployments({ status, limit, cursor });
        }
        return { output: { items: page.items.map(deploymentAnswer), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) } };
      }),
  });

  registry.register({
    name: 'get-deployment-log',
    title: 'Get a deployment and its log',
    description:
      "A deployment's status and its log lines, oldest first (after: only lines after that line id, to follow a " +
      'running deployment). A deployment is finished when its status is succeeded, failed, cancelled or rejected.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          ...environmentInput(z),
          deploymentId: z.string().min(1).describe('Id of the deployment'),
          after: z.number().int().min(0).optional().describe('Only lines whose id is greater'),
        }),
      output: z =>
        z.object({
          deployment: deploymentOutput(z),
          lines: z.array(
            z.object({
              id: z.number(),
              createdAt: z.string(),
              level: z.enum(['info', 'warn', 'error']),
              uid: z.string().optional().describe('The graph node the line is about'),
              message: z.string(),
            }),
          ),
        }),
    },
    action: ({ input, credentials }) =>
      run(async () => {
        await authorize(credentials, orchestratorReadPermission);
        const { app, env, deploymentId } = input;
        await requireEnvironment(app, env);
        const deployment = await deploymentIn(context, app, env, deploymentId);
        const lines = await deploymentStore.readLog(deploymentId, input.after);
        return { output: { deployment: deploymentAnswer(deployment), lines } };
      }),
  });
}
