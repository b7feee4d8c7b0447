import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { onBehalfOf, OrchestratorAccess } from './orchestratorAccess';
import { examples } from './orchestratorEnvironmentCreate.examples';

/**
 * `baton:environment:create`: creates (or updates) an environment of
 * an app, optionally cloned from another one.
 *
 * @public
 */
export function createOrchestratorEnvironmentCreateAction(options: OrchestratorAccess) {
  return createTemplateAction({
    id: 'baton:environment:create',
    description: 'Creates an environment of an app in the Baton orchestrator (idempotent)',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        app: z => z.string({ description: 'App id' }),
        env: z => z.string({ description: 'Environment id, e.g. dev or pr-42' }),
        type: z =>
          z.string({ description: 'Environment type, e.g. development' }),
        cloneFrom: z =>
          z
            .string({ description: 'Environment to clone the deployment of' })
            .optional(),
      },
      output: {
        env: z => z.string({ description: 'The environment id' }),
        type: z => z.string({ description: 'The environment type' }),
      },
    },
    async handler(ctx) {
      const { app, env, type, cloneFrom } = ctx.input;
      if (!ctx.isDryRun) {
        await ctx.checkpoint({
          key: `orchestrator.environment.create.${app}.${env}`,
          fn: async () => {
            await options.client.putEnvironment(
              { path: { app, env }, body: { type, ...(cloneFrom ? { cloneFrom } : {}) } },
              await onBehalfOf(options, await ctx.getInitiatorCredentials()),
            );
          },
        });
        ctx.logger.info(`Environment ${app}/${env} (${type}) is ready`);
      } else {
        ctx.logger.info(`Would create environment ${app}/${env} (${type})`);
      }
      ctx.output('env', env);
      ctx.output('type', type);
    },
  });
}
