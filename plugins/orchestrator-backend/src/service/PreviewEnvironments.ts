import { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { ConflictError, NotFoundError } from '@backstage/errors';
import type { GitWatchStateStore } from '../database/GitWatchStateStore';
import type { EnvironmentRecord, OrchestratorStore, TeardownReason } from '../database/OrchestratorStore';
import type { EnvironmentTeardown } from '../runner/EnvironmentTeardown';
import type { PullRequestEvent } from './gitWebhook';
import { globToRegExp, isRemoteRepository, sameRepository, WatchedRepository } from './GitWatcher';
import { parseTtl } from './isoDuration';
import type { OrchestratorEvents } from './OrchestratorEvents';

/** The environment type of preview environments. */
export const PREVIEW_TYPE = 'preview';

/** What the previews of pull requests and branches are made of (`orchestrator.previews.*`). @internal */
export type PreviewSettings = {
  /** Globs of the branches of local repositories that get a preview each (default `preview/*`). */
  branches: RegExp[];
  /** The environment a preview is cloned from (default `development`); a new one when the app has none. */
  cloneFrom: string;
  /** How long a preview lives after it was opened or last pushed to (default `P3D`). */
  ttl: string;
};

/** @internal */
export function readPreviewSettings(config: Config): PreviewSettings {
  const branches = config.getOptional<string | string[]>('orchestrator.previews.branches') ?? 'preview/*';
  const ttl = config.getOptionalString('orchestrator.previews.ttl') ?? 'P3D';
  parseTtl(ttl, 'orchestrator.previews.ttl');
  return {
    branches: (Array.isArray(branches) ? branches : [branches]).map(globToRegExp),
    cloneFrom: config.getOptionalString('orchestrator.previews.cloneFrom') ?? 'development',
    ttl,
  };
}

/** A preview the Git watcher deploys to: its environment, its branch and, for a pull request of a remote repository, its head's ref. @internal */
export type PreviewTarget = { env: string; branch: string; ref?: string };

/** `pr-42`, or `pr-` and the branch as a name (`preview/Login page` → `pr-preview-login-page`). */
export function previewEnvironmentId(origin: { number?: number; branch: string }): string {
  if (origin.number !== undefined) return `pr-${origin.number}`;
  const slug = origin.branch.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `pr-${slug}`.slice(0, 63).replace(/-+$/, '');
}

/**
 * Preview environments: one per pull or merge request (`pr-42`), or per
 * branch matching `orchestrator.previews.branches` in a local repository
 * (`pr-<branch>`), of type `preview`, cloned from `cloneFrom`, with a time to
 * live. The Git watcher deploys the branch's Score files to it; it is torn
 * down when the pull request closes, the branch is deleted or it expires.
 *
 * @internal
 */
export class PreviewEnvironments {
  constructor(
    private readonly deps: {
      settings: PreviewSettings;
      store: OrchestratorStore;
      watchState: GitWatchStateStore;
      teardown: Pick<EnvironmentTeardown, 'request'>;
      events: OrchestratorEvents;
      repositories: () => Promise<WatchedRepository[]>;
      logger: LoggerService;
    },
  ) {}

  /**
   * Opens (or, on a new push, keeps alive) the previews of a pull request's
   * event, or tears them down when it closed; the watched repositories it
   * concerns, whose branches the Git watcher then polls. 404 for a
   * repository no app watches.
   */
  async pullRequest(event: PullRequestEvent): Promise<{ environments: string[]; repositories: string[]; action: string }> {
    const watched = (await this.deps.repositories()).filter(repo => event.repositories.some(url => sameRepository(repo.url, url)));
    const label = `${event.kind === 'merge-request' ? 'merge request !' : 'pull request #'}${event.number}`;
    if (!watched.length) {
      throw new NotFoundError(`No app watches ${event.repositories[0] ?? 'the repository'}; ${label} was ignored`);
    }
    const environments: string[] = [];
    for (const repo of watched) {
      // The request's head is fetched by its ref whether it comes from a fork or not, as CI systems do: it is
      // there either way, and it is what was pushed to the request even when a fork's branch has the name of
      // one in the repository. A local repository has no such refs.
      const ref = isRemoteRepository(repo.url) ? { ref: event.ref } : {};
      const origin = { number: event.number, branch: event.branch, url: event.url, ...ref };
      if (event.action === 'close') {
        const env = previewEnvironmentId(origin);
        if (await this.close(repo.app, env, 'preview-closed')) environments.push(`${repo.app}/${env}`);
      } else if (event.action === 'open') {
        const env = await this.open(repo, { ...origin, source: `#${event.number}` });
        environments.push(`${repo.app}/${env.id}`);
      }
    }
    return { environments, repositories: watched.map(repo => repo.url), action: event.action };
  }

  /**
   * The preview of a pull request or branch: created (and announced) if
   * missing, else its time to live starts again. An environment of that
   * name that is no preview, or is being torn down, is a 409.
   */
  async open(repo: WatchedRepository, origin: { number?: number; branch: string; url?: string; ref?: string; source: string }): Promise<EnvironmentRecord> {
    const { store, settings } = this.deps;
    const id = previewEnvironmentId(origin);
    const existing = await store.getEnvironment(repo.app, id);
    if (existing && !existing.preview) throw new ConflictError(`${repo.app}/${id} exists and is not a preview environment`);
    if (existing?.teardown) throw new ConflictError(`${repo.app}/${id} is being torn down (${existing.teardown}); open it again once it is gone`);
    const ttl = this.ttl();
    if (existing) return store.putEnvironment({ appId: repo.app, id, type: existing.type, ttl });

    if (!(await store.getEnvironmentType(PREVIEW_TYPE))) await store.putEnvironmentType({ id: PREVIEW_TYPE, name: 'Preview', source: 'api' });
    const source = await store.getEnvironment(repo.app, settings.cloneFrom);
    // A branch's earlier preview may have been deployed from it: the new one deploys what is there now.
    await this.deps.watchState.forget(repo.url, origin.ref ?? origin.branch);
    const created = await store.putEnvironment({
      appId: repo.app,
      id,
      type: PREVIEW_TYPE,
      ...(source ? { clonedFrom: source.id } : {}),
      ttl,
      preview: {
        source: origin.source,
        repository: repo.url,
        branch: origin.branch,
        ...(origin.url ? { url: origin.url } : {}),
        ...(origin.ref ? { ref: origin.ref } : {}),
      },
    });
    this.deps.logger.info(`Opened preview ${repo.app}/${id} for ${origin.source} of ${repo.url}`);
    await this.deps.events.lifecycle('environment.preview-created', repo.app, id, { source: origin.source, expiresAt: created.expiresAt });
    return created;
  }

  /**
   * A new commit on a preview's branch: its time to live starts again, as a
   * pull request's push does. A preview being torn down (or gone) is left
   * alone; undefined then.
   */
  async renew(app: string, env: string): Promise<EnvironmentRecord | undefined> {
    const existing = await this.deps.store.getEnvironment(app, env);
    if (!existing?.preview || existing.teardown) return undefined;
    return this.deps.store.putEnvironment({ appId: app, id: env, type: existing.type, ttl: this.ttl() });
  }

  private ttl() {
    const { ttl } = this.deps.settings;
    return { ttl, expiresAt: new Date(Date.now() + parseTtl(ttl)) };
  }

  /** Tears a preview down; false if there is no such preview or it is already going. */
  async close(app: string, env: string, reason: TeardownReason): Promise<boolean> {
    const existing = await this.deps.store.getEnvironment(app, env);
    if (!existing?.preview) return false;
    return this.deps.teardown.request(app, env, reason);
  }

  /** The previews of a watched repository (not being torn down). */
  async targetsOf(repo: WatchedRepository): Promise<PreviewTarget[]> {
    const targets: PreviewTarget[] = [];
    for (const { id, preview, teardown } of await this.deps.store.listEnvironments(repo.app)) {
      if (!preview || teardown || !sameRepository(preview.repository, repo.url)) continue;
      targets.push({ env: id, branch: preview.branch, ...(preview.ref ? { ref: preview.ref } : {}) });
    }
    return targets;
  }

  /**
   * A local repository's branches as they are now: a branch matching
   * `orchestrator.previews.branches` (and deploying nowhere else) gets a
   * preview, and a branch preview whose branch is gone is torn down.
   */
  async syncBranches(repo: WatchedRepository, branches: string[]): Promise<void> {
    const present = new Set(branches);
    for (const branch of branches) {
      if (repo.branches[branch] || !this.deps.settings.branches.some(re => re.test(branch))) continue;
      // An existing one is kept (its time to live starts again on a push to it), or still going.
      if (await this.deps.store.getEnvironment(repo.app, previewEnvironmentId({ branch }))) continue;
      await this.open(repo, { branch, source: branch });
    }
    for (const env of await this.deps.store.listEnvironments(repo.app)) {
      const preview = env.preview;
      if (!preview || env.teardown || preview.source !== preview.branch || !sameRepository(preview.repository, repo.url)) continue;
      if (!present.has(preview.branch)) await this.close(repo.app, env.id, 'branch-deleted');
    }
  }
}
