import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { onBehalfOf, OrchestratorAccess } from './orchestratorAccess';
import { examples } from './orchestratorAppCreate.examples';

/**
 * `baton:app:create`: creates (or updates) an app in the orchestrator.
 *
 * @public
 */
export function createOrchestratorAppCreateAction(options: OrchestratorAccess) {
  return createTemplateAction({
    id: 'baton:app:create',
    description: 'Creates an app in the Baton orchestrator (idempotent)',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        app: z => z.string({ description: 'App id (lowercase RFC 1123 label)' }),
        title: z => z.string({ description: 'Display title' }).optional(),
        entityRef: z =>
          z.string({ description: 'Catalog entity of the app' }).optional(),
        repository: z =>
          z
            .string({
              description:
                "Git repository of the app's Score files (URL or path on the Backstage host): the orchestrator deploys its pushes from then on",
            })
            .optional(),
        branches: z =>
          z
            .record(z.string(), { description: 'Branch → environment its pushes deploy to (default: main → dev)' })
            .optional(),
      },
      output: {
        app: z => z.string({ description: 'The app id' }),
      },
    },
    async handler(ctx) {
      const { app, title, entityRef } = ctx.input;
      const repository = ctx.input.repository
        ? { url: ctx.input.repository, branches: ctx.input.branches ?? { main: 'dev' } }
        : undefined;
      if (ctx.isDryRun) {
        ctx.logger.info(`Would create app ${app}`);
        ctx.output('app', app);
        return;
      }
      await ctx.checkpoint({
        key: `orchestrator.app.create.${app}`,
        fn: async () => {
          await options.client.putApp(
            { path: { app }, body: { title, entityRef, repository } },
            await onBehalfOf(options, await ctx.getInitiatorCredentials()),
          );
        },
      });
      ctx.logger.info(
        repository
          ? `App ${app} is ready; pushes to ${Object.entries(repository.branches).map(([b, e]) => `${b} deploy to ${e}`).join(', ')}`
          : `App ${app} is ready`,
      );
      ctx.output('app', app);
    },
  });
}
