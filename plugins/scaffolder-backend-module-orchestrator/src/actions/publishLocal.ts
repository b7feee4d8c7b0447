import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { AuthService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import git from 'isomorphic-git';
import fs from 'node:fs';
import path from 'node:path';
import { examples } from './publishLocal.examples';

const NAME = /^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$/;

async function filesOf(dir: string, base = dir): Promise<string[]> {
  const entries = await fs.promises.readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name === '.git') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await filesOf(full, base)));
    else files.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return files.sort();
}

/**
 * `baton:publish:local`: publishes the workspace as a Git repository on the
 * Backstage host (for machines without a Git provider; templates use
 * `publish:github` and `catalog:register` where one is configured) and
 * registers its `catalog-info.yaml` as a file location. The repository's
 * path works as a Git remote, and the orchestrator's Git watcher can watch it.
 *
 * @public
 */
export function createPublishLocalAction(options: {
  repositoriesDir: string;
  catalog: CatalogService;
  auth: AuthService;
}) {
  return createTemplateAction({
    id: 'baton:publish:local',
    description: 'Publishes the workspace as a local Git repository and registers its catalog-info.yaml',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z => z.string({ description: 'Repository name (lowercase RFC 1123 label)' }),
        defaultBranch: z => z.string({ description: 'Branch (default main)' }).optional(),
        register: z => z.boolean({ description: 'Register catalog-info.yaml in the catalog (default true)' }).optional(),
        catalogInfoPath: z => z.string({ description: 'Path of the catalog file (default catalog-info.yaml)' }).optional(),
      },
      output: {
        remoteUrl: z => z.string({ description: 'Path of the repository (usable as a Git remote)' }),
        catalogInfoUrl: z => z.string({ description: 'file: location of catalog-info.yaml' }),
        commit: z => z.string({ description: 'The first commit' }).optional(),
      },
    },
    async handler(ctx) {
      const { name } = ctx.input;
      if (!NAME.test(name)) throw new InputError(`name ${name} must be a lowercase RFC 1123 label`);
      const branch = ctx.input.defaultBranch ?? 'main';
      const dir = path.join(path.resolve(options.repositoriesDir), name);
      const catalogInfo = path.join(dir, ctx.input.catalogInfoPath ?? 'catalog-info.yaml');
      ctx.output('remoteUrl', dir);
      ctx.output('catalogInfoUrl', `file:${catalogInfo}`);
      if (ctx.isDryRun) {
        ctx.logger.info(`Would publish ${(await filesOf(ctx.workspacePath)).length} files to ${dir}`);
        return;
      }
      const commit = await ctx.checkpoint({
        key: `baton.publish.local.${name}`,
        fn: async () => {
          if (fs.existsSync(dir)) throw new ConflictError(`A repository named ${name} exists already at ${dir}`);
          await fs.promises.mkdir(dir, { recursive: true });
          await fs.promises.cp(ctx.workspacePath, dir, { recursive: true });
          await git.init({ fs, dir, defaultBranch: branch });
          for (const file of await filesOf(dir)) await git.add({ fs, dir, filepath: file });
          const user = ctx.user?.ref ?? 'baton';
          return git.commit({
            fs,
            dir,
            message: 'Initial commit from a software template',
            author: { name: user, email: `${user.replace(/[^a-z0-9.-]/gi, '.')}@backstage.local` },
          });
        },
      });
      ctx.output('commit', commit);
      ctx.logger.info(`Published to ${dir} (${branch}, ${commit.slice(0, 12)})`);
      if (ctx.input.register ?? true) {
        await ctx.checkpoint({
          key: `baton.publish.local.register.${name}`,
          fn: async () => {
            await options.catalog.addLocation(
              { type: 'file', target: catalogInfo },
              { credentials: await ctx.getInitiatorCredentials() },
            );
          },
        });
        ctx.logger.info(`Registered ${catalogInfo} in the catalog`);
      }
    },
  });
}
