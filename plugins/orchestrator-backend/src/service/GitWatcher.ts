import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { createHash } from 'node:crypto';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import fs from 'node:fs';
import path from 'node:path';
import { GitWatchStateStore } from '../database/GitWatchStateStore';
import { DeploymentService } from './DeploymentService';
import type { PreviewEnvironments } from './PreviewEnvironments';

/** One watched repository. @internal */
export interface WatchedRepository {
  /** `app`: named by the app (API, scaffolder); `catalog`: by the app's catalog entity; `config`: `orchestrator.gitWatch.repositories`. */
  source: 'app' | 'config' | 'catalog';
  /** A local path (a working copy or a bare repository) or a remote URL. */
  url: string;
  app: string;
  /** Branch → environment it deploys to. */
  branches: Record<string, string>;
  /** Globs of Score files in the repository. Default: `score.yaml` and `**\/score.yaml`. */
  paths?: string[];
  username?: string;
  password?: string;
}

/** Glob with `*` (within a segment) and `**` (any depth) to a RegExp. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const DEFAULT_PATHS = ['score.yaml', '**/score.yaml'];

/**
 * Watches Git repositories for commits that change Score files and deploys
 * the branch's Score files to the environment mapped to the branch. This is
 * how "add a bucket to score.yaml and git push" reaches the orchestrator.
 * Polled on a schedule, or right away on a push webhook.
 *
 * @internal
 */
export class GitWatcher {
  /** `orchestrator.gitWatch.repositories` as the configuration is now (it reloads when its files change). */
  static repositoriesInConfig(config: Config): WatchedRepository[] {
    return (config.getOptionalConfigArray('orchestrator.gitWatch.repositories') ?? []).map(c => ({
      source: 'config',
      url: c.getString('url'),
      app: c.getString('app'),
      branches: c.get<Record<string, string>>('branches'),
      paths: c.getOptionalStringArray('paths'),
      username: c.getOptionalString('username'),
      password: c.getOptionalString('token'),
    }));
  }

  constructor(
    private readonly deps: {
      watchState: GitWatchStateStore;
      /** Read at every poll, so new apps and configuration changes apply without a restart. */
      repositories: () => Promise<WatchedRepository[]>;
      deploymentService: DeploymentService;
      /** Preview environments: their branches are polled too; a local repository's preview branches open them. */
      previews?: Pick<PreviewEnvironments, 'branchesOf' | 'syncBranches' | 'open'>;
      cacheDir: string;
      logger: LoggerService;
    },
  ) {}

  /** Polls every `orchestrator.gitWatch.intervalSeconds` (default 10). */
  async schedule(config: Config, scheduler: SchedulerService) {
    await scheduler.scheduleTask({
      id: 'orchestrator:git-watch',
      frequency: { seconds: config.getOptionalNumber('orchestrator.gitWatch.intervalSeconds') ?? 10 },
      timeout: { minutes: 5 },
      fn: async () => {
        await this.poll();
      },
    });
  }

  /** Polls every repository (or those whose URL matches `only`). */
  async poll(only?: string[]): Promise<string[]> {
    const queued: string[] = [];
    for (const repo of await this.deps.repositories()) {
      if (only && !only.some(url => sameRepository(repo.url, url))) continue;
      try {
        queued.push(...(await this.pollRepository(repo)));
      } catch (error) {
        this.deps.logger.error(`Could not poll ${repo.url}`, error as Error);
      }
    }
    return queued;
  }

  /** What is watched for an app: each branch, its environment and the last commit handled. */
  async watchOf(app: string) {
    const watched = [];
    for (const repo of await this.deps.repositories()) {
      if (repo.app !== app) continue;
      for (const [branch, environment] of Object.entries(repo.branches)) {
        const lastCommit = await this.deps.watchState.lastCommit(repo.url, branch);
        watched.push({ repository: repo.url, source: repo.source, branch, environment, ...(lastCommit ? { lastCommit } : {}) });
      }
    }
    return watched;
  }

  private async open(repo: WatchedRepository, previewBranches: string[]): Promise<{ dir?: string; gitdir: string }> {
    if (!/^[a-z]+:\/\//.test(repo.url)) {
      const dir = path.resolve(repo.url);
      return fs.existsSync(path.join(dir, '.git')) ? { dir, gitdir: path.join(dir, '.git') } : { gitdir: dir };
    }
    const gitdir = path.join(this.deps.cacheDir, createHash('sha256').update(repo.url).digest('hex').slice(0, 16));
    const onAuth = () => (repo.username || repo.password ? { username: repo.username ?? 'x-access-token', password: repo.password } : {});
    if (!fs.existsSync(path.join(gitdir, 'HEAD'))) {
      await git.init({ fs, gitdir, bare: true });
      await git.addRemote({ fs, gitdir, remote: 'origin', url: repo.url });
    }
    for (const branch of Object.keys(repo.branches)) {
      await git.fetch({ fs, http, gitdir, remote: 'origin', ref: branch, singleBranch: true, onAuth });
    }
    // A pull request's branch may be gone before its closing event: the others are still polled.
    for (const branch of previewBranches) {
      await git
        .fetch({ fs, http, gitdir, remote: 'origin', ref: branch, singleBranch: true, onAuth })
        .catch(error => this.deps.logger.warn(`Could not fetch preview branch ${branch} of ${repo.url}: ${error.message}`));
    }
    return { gitdir };
  }

  private async pollRepository(repo: WatchedRepository): Promise<string[]> {
    const previews = this.deps.previews;
    const remote = /^[a-z]+:\/\//.test(repo.url);
    const { gitdir } = await this.open(repo, Object.keys((await previews?.branchesOf(repo)) ?? {}));
    // A local repository's branches open and close previews by their names.
    if (previews && !remote) await previews.syncBranches(repo, await git.listBranches({ fs, gitdir }));
    const targets = { ...((await previews?.branchesOf(repo)) ?? {}), ...repo.branches };
    const patterns = (repo.paths ?? DEFAULT_PATHS).map(globToRegExp);
    const queued: string[] = [];
    for (const [branch, env] of Object.entries(targets)) {
      try {
        const deployment = await this.pollBranch(repo, { gitdir, remote, patterns }, branch, env);
        if (deployment) queued.push(deployment);
      } catch (error) {
        // One branch's refusal (an environment being torn down, bad Score files) leaves the others polled.
        this.deps.logger.error(`Could not deploy ${branch} of ${repo.url} to ${repo.app}/${env}`, error as Error);
      }
    }
    return queued;
  }

  /** Deploys the branch's Score files when they changed since the last commit handled; the deployment's id. */
  private async pollBranch(
    repo: WatchedRepository,
    at: { gitdir: string; remote: boolean; patterns: RegExp[] },
    branch: string,
    env: string,
  ): Promise<string | undefined> {
    const { gitdir, remote, patterns } = at;
    const ref = remote ? `refs/remotes/origin/${branch}` : `refs/heads/${branch}`;
    const head = await git.resolveRef({ fs, gitdir, ref }).catch(() => undefined);
    if (!head) return undefined;
    const last = await this.deps.watchState.lastCommit(repo.url, branch);
    if (last === head) return undefined;
    const files = await this.scoreFiles(gitdir, head, patterns);
    const before = last ? await this.scoreFiles(gitdir, last, patterns).catch(() => undefined) : undefined;
    const changed = !before || !sameFiles(before, files);
    let queued: string | undefined;
    if (changed && files.size) {
      const [{ commit }] = await git.log({ fs, gitdir, ref: head, depth: 1 });
      const deployment = await this.deps.deploymentService.create(
        repo.app,
        env,
        {
          workloads: [...files.values()].map(f => f.text),
          comment: `git ${head.slice(0, 12)} on ${branch}: ${commit.message.split('\n')[0]}`,
        },
        `git:${commit.author.email}`,
      );
      queued = deployment.id;
      this.deps.logger.info(`${repo.url} ${branch} ${head.slice(0, 12)} changed Score files; queued deployment ${deployment.id} to ${repo.app}/${env}`);
    }
    await this.deps.watchState.setLastCommit(repo.url, branch, head);
    return queued;
  }

  /** The watched Score files at a commit: path → blob id and text. */
  private async scoreFiles(gitdir: string, commit: string, patterns: RegExp[]) {
    const files = new Map<string, { oid: string; text: string }>();
    for (const file of await git.listFiles({ fs, gitdir, ref: commit })) {
      if (!patterns.some(p => p.test(file))) continue;
      const { oid, blob } = await git.readBlob({ fs, gitdir, oid: commit, filepath: file });
      files.set(file, { oid, text: Buffer.from(blob).toString('utf8') });
    }
    return files;
  }
}

function sameFiles(a: Map<string, { oid: string }>, b: Map<string, { oid: string }>): boolean {
  if (a.size !== b.size) return false;
  for (const [file, { oid }] of a) if (b.get(file)?.oid !== oid) return false;
  return true;
}

/**
 * Whether a notified repository is a watched one: `https://host/o/r.git`,
 * `git@host:o/r.git` and `ssh://git@host/o/r` name the same repository, and
 * so do a relative and an absolute path.
 */
export function sameRepository(watched: string, notified: string): boolean {
  const norm = (u: string) =>
    u
      .trim()
      .replace(/^[a-z+]+:\/\//i, '')
      .replace(/^[^@/]+@/, '')
      .replace(/^([^/:]+):(?!\d)/, '$1/')
      .replace(/\/+$/, '')
      .replace(/\.git$/, '')
      .toLowerCase();
  const isUrl = (u: string) => /^[a-z+]+:\/\//i.test(u) || /^[^@/]+@[^:]+:/.test(u);
  const local = (u: string) => (isUrl(u) ? u : path.resolve(u));
  return norm(local(watched)) === norm(local(notified));
}
