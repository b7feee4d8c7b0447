import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { createHash } from 'node:crypto';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import fs from 'node:fs';
import path from 'node:path';
import { GitWatchStateStore } from '../database/GitWatchStateStore';
import { DeploymentService } from './DeploymentService';
import type { PreviewEnvironments, PreviewTarget } from './PreviewEnvironments';

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

/** Whether a watched repository is a remote one (fetched into a cache), not a local path. @internal */
export function isRemoteRepository(url: string): boolean {
  return /^[a-z]+:\/\//.test(url);
}

/** What a poll deploys: a watched branch, or a preview's branch or pull request ref. */
type WatchTarget = PreviewTarget & { preview: boolean };

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
      previews?: Pick<PreviewEnvironments, 'targetsOf' | 'syncBranches' | 'renew'>;
      cacheDir: string;
      logger: LoggerService;
    },
  ) {}

  /** Pull request refs a repository's host does not keep, already logged: `<url> <ref>`. */
  private readonly loggedFallbacks = new Set<string>();

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

  private async open(repo: WatchedRepository, previews: PreviewTarget[]): Promise<{ dir?: string; gitdir: string }> {
    if (!isRemoteRepository(repo.url)) {
      const dir = path.resolve(repo.url);
      return fs.existsSync(path.join(dir, '.git')) ? { dir, gitdir: path.join(dir, '.git') } : { gitdir: dir };
    }
    const gitdir = path.join(this.deps.cacheDir, createHash('sha256').update(repo.url).digest('hex').slice(0, 16));
    const onAuth = () => (repo.username || repo.password ? { username: repo.username ?? 'x-access-token', password: repo.password } : {});
    const fetch = async (ref: string) => {
      const fetched = await git.fetch({ fs, http, gitdir, remote: 'origin', ref, singleBranch: true, onAuth });
      // isomorphic-git tells the server which commit it has only through the local ref of the name it
      // fetches (`main` is found as refs/heads/main, not refs/remotes/origin/main): without this ref every
      // poll downloaded the branch's whole history again.
      if (fetched.fetchHead && !ref.startsWith('refs/')) await git.writeRef({ fs, gitdir, ref: `refs/heads/${ref}`, value: fetched.fetchHead, force: true });
      return fetched;
    };
    if (!fs.existsSync(path.join(gitdir, 'HEAD'))) {
      await git.init({ fs, gitdir, bare: true });
      await git.addRemote({ fs, gitdir, remote: 'origin', url: repo.url });
    }
    for (const branch of Object.keys(repo.branches)) await fetch(branch);
    // A pull request's branch may be gone before its closing event: the others are still polled.
    for (const preview of previews) {
      await this.fetchPreview(repo, preview, gitdir, fetch).catch(error =>
        this.deps.logger.warn(`Could not fetch the head of preview ${repo.app}/${preview.env} from ${repo.url}: ${error.message}`),
      );
    }
    return { gitdir };
  }

  /**
   * Fetches a preview's head: its branch, or a pull request's ref into the
   * cache under the same name. isomorphic-git writes only the refs its
   * refspec maps (`refs/heads/*`), so the fetched commit is written to that
   * ref here; being there, it is also what the next fetch says it has. A
   * host that keeps no such ref has the branch fetched into it instead.
   */
  private async fetchPreview(repo: WatchedRepository, preview: PreviewTarget, gitdir: string, fetch: (ref: string) => ReturnType<typeof git.fetch>) {
    if (!preview.ref) {
      await fetch(preview.branch);
      return;
    }
    const fetched = await fetch(preview.ref).catch(async error => {
      const branch = await fetch(preview.branch).catch(branchError => {
        throw new Error(`${preview.ref}: ${error.message}; branch ${preview.branch}: ${branchError.message}`);
      });
      const fallback = `${repo.url} ${preview.ref}`;
      if (!this.loggedFallbacks.has(fallback)) {
        this.loggedFallbacks.add(fallback);
        this.deps.logger.info(`Could not fetch ${preview.ref} of ${repo.url} (${error.message}); fetched branch ${preview.branch} for ${repo.app}/${preview.env}`);
      }
      return branch;
    });
    if (fetched.fetchHead) await git.writeRef({ fs, gitdir, ref: preview.ref, value: fetched.fetchHead, force: true });
  }

  private async pollRepository(repo: WatchedRepository): Promise<string[]> {
    const previews = this.deps.previews;
    const remote = isRemoteRepository(repo.url);
    const { gitdir } = await this.open(repo, (await previews?.targetsOf(repo)) ?? []);
    // A local repository's branches open and close previews by their names.
    if (previews && !remote) await previews.syncBranches(repo, await git.listBranches({ fs, gitdir }));
    // By their watch state's key: a watched branch is deployed to its own environment, not a preview of it.
    const targets = new Map<string, WatchTarget>();
    for (const preview of (await previews?.targetsOf(repo)) ?? []) targets.set(preview.ref ?? preview.branch, { ...preview, preview: true });
    for (const [branch, env] of Object.entries(repo.branches)) targets.set(branch, { env, branch, preview: false });
    const patterns = (repo.paths ?? DEFAULT_PATHS).map(globToRegExp);
    const queued: string[] = [];
    for (const target of targets.values()) {
      try {
        const deployment = await this.pollBranch(repo, { gitdir, remote, patterns }, target);
        if (deployment) queued.push(deployment);
      } catch (error) {
        // One branch's refusal (an environment being torn down, bad Score files) leaves the others polled.
        this.deps.logger.error(`Could not deploy ${target.branch} of ${repo.url} to ${repo.app}/${target.env}`, error as Error);
      }
    }
    return queued;
  }

  /**
   * Deploys the branch's Score files when they changed since the last commit
   * handled; the deployment's id. A new commit renews a preview's time to live.
   */
  private async pollBranch(
    repo: WatchedRepository,
    at: { gitdir: string; remote: boolean; patterns: RegExp[] },
    target: WatchTarget,
  ): Promise<string | undefined> {
    const { gitdir, remote, patterns } = at;
    const { branch, env } = target;
    // A pull request's preview is known by its ref: the same whichever way it was fetched, and apart from a watched branch of its branch's name (a fork's main).
    const watchKey = target.ref ?? branch;
    const ref = remote ? (target.ref ?? `refs/remotes/origin/${branch}`) : `refs/heads/${branch}`;
    const head = await git.resolveRef({ fs, gitdir, ref }).catch(() => undefined);
    if (!head) return undefined;
    const last = await this.deps.watchState.lastCommit(repo.url, watchKey);
    if (last === head) return undefined;
    // Not on its first sight: opening the preview started its time to live.
    if (last && target.preview) await this.deps.previews?.renew(repo.app, env);
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
    await this.deps.watchState.setLastCommit(repo.url, watchKey, head);
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
