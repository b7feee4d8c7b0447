import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { InputError } from '@backstage/errors';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { promises as fs } from 'node:fs';
import { Deployment } from '@baton/backstage-plugin-orchestrator-common';
import { onBehalfOf, OrchestratorAccess } from './orchestratorAccess';
import { examples } from './orchestratorDeploy.examples';

/**
 * `baton:deploy`: deploys the workspace's Score file(s) to an
 * environment, streams the deployment's log into the task log while it runs,
 * and outputs the deployment id, its status and the resources' outputs (never
 * secrets). The step fails when the deployment fails or is rejected; to an
 * environment whose type requires approval it ends once the deployment awaits
 * approval (a person decides, later). A retried task resumes the deployment
 * it started instead of deploying twice.
 *
 * @public
 */
export function createOrchestratorDeployAction(options: OrchestratorAccess & { pollIntervalMs?: number }) {
  const pollMs = options.pollIntervalMs ?? 500;
  return createTemplateAction({
    id: 'baton:deploy',
    description: 'Deploys Score files from the workspace to an environment of the Baton orchestrator and waits for the result',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        app: z => z.string({ description: 'App id' }),
        env: z => z.string({ description: 'Environment id' }),
        scoreFiles: z =>
          z.array(z.string(), { description: 'Score files in the workspace (default: score.yaml)' }).optional(),
        comment: z => z.string({ description: 'Why this deployment happens' }).optional(),
        timeoutSeconds: z => z.number({ description: 'How long to wait (default 600)' }).optional(),
      },
      output: {
        deploymentId: z => z.string({ description: 'The deployment' }).optional(),
        status: z =>
          z.string({ description: 'succeeded; awaiting-approval when the environment requires approval; planned for a dry run' }),
        resources: z =>
          z.record(z.record(z.unknown()), { description: 'Outputs of each resource (by uid), without secrets' }).optional(),
      },
    },
    async handler(ctx) {
      const { app, env } = ctx.input;
      const files = ctx.input.scoreFiles ?? ['score.yaml'];
      const workloads = await Promise.all(
        files.map(async file => {
          try {
            return await fs.readFile(resolveSafeChildPath(ctx.workspacePath, file), 'utf8');
          } catch (error) {
            throw new InputError(`${file}: cannot read it from the workspace (${(error as Error).message})`);
          }
        }),
      );
      const asUser = await onBehalfOf(options, await ctx.getInitiatorCredentials());
      const { client } = options;

      if (ctx.isDryRun) {
        const planned = await client.createDeployment({ path: { app, env }, body: { workloads, dryRun: true } }, asUser);
        if (!('plan' in planned)) throw new Error(`The orchestrator queued deployment ${planned.id} instead of planning`);
        for (const node of planned.plan.nodes) ctx.logger.info(`${node.action} ${node.uid}`);
        ctx.output('status', 'planned');
        return;
      }

      const id = await ctx.checkpoint({
        key: `orchestrator.deploy.${app}.${env}.${ctx.task.id}`,
        fn: async () => {
          const created = await client.createDeployment(
            {
              path: { app, env },
              body: { workloads, comment: ctx.input.comment ?? `Software template task ${ctx.task.id}` },
            },
            asUser,
          );
          if (!('id' in created)) throw new Error('The orchestrator planned instead of queuing a deployment');
          return created.id;
        },
      });
      ctx.logger.info(`Deployment ${id} to ${app}/${env}`);

      const deadline = Date.now() + (ctx.input.timeoutSeconds ?? 600) * 1000;
      let lastLine: number | undefined;
      let deployment: Deployment;
      for (;;) {
        // Its status only: a big deployment's node list and diff are thousands of entries.
        deployment = await client.getDeployment({ path: { app, env, id }, query: { nodes: 'false' } }, asUser);
        // The log after the status: once the status is final the log is whole, so its last
        // lines are read even when the deployment ends between two polls.
        const { lines } = await client.getDeploymentLog(
          { path: { app, env, id }, query: { after: lastLine !== undefined ? String(lastLine) : undefined } },
          asUser,
        );
        for (const line of lines) {
          if (line.level === 'error') ctx.logger.error(line.message);
          else if (line.level === 'warn') ctx.logger.warn(line.message);
          else ctx.logger.info(line.message);
          lastLine = line.id;
        }
        if (deployment.status === 'awaiting-approval') {
          // Approving is someone else's decision, which may take days: the step does not wait for it.
          ctx.logger.info(`Deployment ${id} awaits approval: it runs once someone other than its requester approves it`);
          ctx.output('deploymentId', id);
          ctx.output('status', deployment.status);
          return;
        }
        if (['succeeded', 'failed', 'cancelled', 'rejected'].includes(deployment.status)) break;
        if (Date.now() > deadline || ctx.signal?.aborted) {
          throw new Error(`Deployment ${id} is still ${deployment.status}; stopped waiting`);
        }
        await new Promise(resolve => setTimeout(resolve, pollMs));
      }

      ctx.output('deploymentId', id);
      ctx.output('status', deployment.status);
      if (deployment.status !== 'succeeded') {
        throw new Error(`Deployment ${id} ${deployment.status}: ${deployment.error ?? 'see its log'}`);
      }
      const resources = await client.listEnvironmentResources({ path: { app, env } }, asUser);
      ctx.output('resources', Object.fromEntries(resources.map(r => [r.uid, r.outputs])));
    },
  });
}
