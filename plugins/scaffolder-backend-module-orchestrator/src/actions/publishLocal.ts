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

/** A shell word that stays one word whatever the text. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The bare repository's `post-receive` hook: it checks the branch out into
 * the folder the catalog reads, then tells the orchestrator's webhook so the
 * push deploys at once (the watcher's polling picks it up otherwise).
 */
function postReceiveHook(options: { gitdir: string; checkout: string; branch: string; webhookUrl?: string }): string {
  const notify = options.webhookUrl
    ? `
  curl -sS -m 30 -X POST -H 'Content-Type: application/json' \\
    --data ${shellQuote(JSON.stringify({ repository: options.gitdir }))} ${shellQuote(options.webhookUrl)} >&2 && echo >&2 \\
    || echo "Baton was not reached; its Git watcher will find the push" >&2`
    : '';
  return `#!/bin/sh
# Written by baton:publish:local.
while read -r old new ref; do
  [ "$ref" = ${shellQuote(`refs/heads/${options.branch}`)} ] || continue
  git --work-tree=${shellQuote(options.checkout)} checkout -q -f ${shellQuote(options.branch)}${notify}
done
`;
}

/**
 * `baton:publish:local`: publishes the workspace as a bare Git repository on
 * the Backstage host (for machines without a Git provider; templates use
 * `publish:github` and `catalog:register` where one is configured) that
 * `git clone` and `git push` work against, keeps a checkout of its branch
 * for the catalog, and registers the checkout's `catalog-info.yaml` as a
 * file location. A push updates the checkout and notifies the
 * orchestrator's Git webhook.
 *
 * @public
 */
export function createPublishLocalAction(options: {
  repositoriesDir: string;
  catalog: CatalogService;
  auth: AuthService;
  /** The orchestrator's `/webhooks/git`, which the repository's hook notifies after a push. */
  webhookUrl?: string;
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
        remoteUrl: z => z.string({ description: 'Path of the bare repository (a Git remote to clone and push to)' }),
        cloneCommand: z => z.string({ description: 'The git clone command for the repository' }),
        catalogInfoUrl: z => z.string({ description: 'file: location of catalog-info.yaml' }),
        commit: z => z.string({ description: 'The first commit' }).optional(),
      },
    },
    async handler(ctx) {
      const { name } = ctx.input;
      if (!NAME.test(name)) throw new InputError(`name ${name} must be a lowercase RFC 1123 label`);
      const branch = ctx.input.defaultBranch ?? 'main';
      const repositoriesDir = path.resolve(options.repositoriesDir);
      const gitdir = path.join(repositoriesDir, `${name}.git`);
      const checkout = path.join(repositoriesDir, name);
      const catalogInfo = path.join(checkout, ctx.input.catalogInfoPath ?? 'catalog-info.yaml');
      const cloneCommand = `git clone ${shellQuote(gitdir)} ${name}`;
      ctx.output('remoteUrl', gitdir);
      ctx.output('cloneCommand', cloneCommand);
      ctx.output('catalogInfoUrl', `file:${catalogInfo}`);
      if (ctx.isDryRun) {
        ctx.logger.info(`Would publish ${(await filesOf(ctx.workspacePath)).length} files to ${gitdir}`);
        return;
      }
      const commit = await ctx.checkpoint({
        key: `baton.publish.local.${name}`,
        fn: async () => {
          for (const existing of [gitdir, checkout]) {
            if (fs.existsSync(existing)) throw new ConflictError(`A repository named ${name} exists already at ${existing}`);
          }
          await fs.promises.mkdir(checkout, { recursive: true });
          await fs.promises.cp(ctx.workspacePath, checkout, { recursive: true });
          await git.init({ fs, gitdir, bare: true, defaultBranch: branch });
          for (const file of await filesOf(checkout)) await git.add({ fs, dir: checkout, gitdir, filepath: file });
          const user = ctx.user?.ref ?? 'baton';
          const sha = await git.commit({
            fs,
            dir: checkout,
            gitdir,
            message: 'Initial commit from a software template',
            author: { name: user, email: `${user.replace(/[^a-z0-9.-]/gi, '.')}@backstage.local` },
          });
          const hook = path.join(gitdir, 'hooks', 'post-receive');
          await fs.promises.mkdir(path.dirname(hook), { recursive: true });
          await fs.promises.writeFile(
            hook,
            postReceiveHook({ gitdir, checkout, branch, webhookUrl: options.webhookUrl }),
            { mode: 0o755 },
          );
          return sha;
        },
      });
      ctx.output('commit', commit);
      ctx.logger.info(`Published to ${gitdir} (${branch}, ${commit.slice(0, 12)}); clone it with: ${cloneCommand}`);
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
