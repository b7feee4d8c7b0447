import type { Config } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import git from 'isomorphic-git';
import path from 'node:path';
import { BranchSync, type GitOpsRemote, openBareRepository } from './BranchSync';
import { fileEdit, GitObjectStore, TreeEdit } from './GitObjectStore';
import { gitFileSystem } from './gitFileSystem';

export type { GitOpsRemote } from './BranchSync';

/** The branch deployments commit to (`orchestrator.gitops.branch`, default main). @internal */
export function gitopsBranch(config: Config): string {
  return config.getOptionalString('orchestrator.gitops.branch') ?? 'main';
}

/** @internal */
export interface GitOpsCommitRequest {
  app: string;
  env: string;
  /** Full desired content of `<env>/<app>/`; files not listed are removed. */
  files: Record<string, string>;
  /** Other repository files to write (or remove: null), keyed by repository-relative path. */
  extraFiles?: Record<string, string | null>;
  message: string;
  /** Blobs already stored ({@link GitOpsRepository.storeBlobs}), by content: not hashed again. */
  blobs?: Map<string, string>;
}

const AUTHOR = { name: 'Baton', email: 'baton@localhost' };

/** How often a commit is rebuilt on a branch that moved under it before giving up. */
const MAX_ATTEMPTS = 20;

/**
 * The Git repository Argo CD syncs: one folder per environment and app
 * (`<env>/<app>/…`). It is bare: a write builds the new tree from the branch's
 * last commit, reusing every unchanged subtree by oid, and only then moves
 * the branch (compare-and-swap, rebuilding on a branch that moved), so a
 * crash never leaves anything that a later commit would pick up, and
 * concurrent writers wait for each other only while the branch moves.
 *
 * @internal
 */
export class GitOpsRepository {
  /** Branch moves (and the fetches and pushes that go with them), one at a time. */
  #refUpdates: Promise<unknown> = Promise.resolve();
  readonly #objects: GitObjectStore;
  readonly #sync: BranchSync;

  /**
   * The repository `orchestrator.gitops.*` names: `dataDir/gitops`, pushed to
   * `gitops.url` when set, with `gitops.username`/`gitops.token` or else the
   * token of the host's GitHub or GitLab integration.
   */
  static async fromConfig(config: Config, options: { dataDir: string }): Promise<GitOpsRepository> {
    const url = config.getOptionalString('orchestrator.gitops.url');
    const dir = path.join(options.dataDir, 'gitops');
    if (!url) return GitOpsRepository.open({ dir });
    const integrations = ScmIntegrations.fromConfig(config);
    const gitlab = integrations.gitlab.byUrl(url);
    return GitOpsRepository.open({
      dir,
      remote: {
        url,
        branch: gitopsBranch(config),
        username: config.getOptionalString('orchestrator.gitops.username') ?? (gitlab ? 'oauth2' : undefined),
        password:
          config.getOptionalString('orchestrator.gitops.token') ??
          integrations.github.byUrl(url)?.config.token ??
          gitlab?.config.token,
      },
    });
  }

  /** Where Argo CD finds this repository: the remote, or the local repository as a file URL. */
  static repoUrlFromConfig(config: Config, options: { dataDir: string }): string {
    return config.getOptionalString('orchestrator.gitops.url') ?? `file://${path.join(options.dataDir, 'gitops')}`;
  }

  static async open(options: { dir: string; remote?: GitOpsRemote }): Promise<GitOpsRepository> {
    const { dir, remote } = options;
    const branch = await openBareRepository(dir, remote);
    return new GitOpsRepository(dir, branch, remote);
  }

  private constructor(
    /** The bare repository's directory. */
    readonly dir: string,
    readonly branch: string,
    private readonly remote?: GitOpsRemote,
  ) {
    this.#objects = new GitObjectStore(dir);
    this.#sync = new BranchSync(dir, branch, remote);
  }

  /** The remote and branch this repository delivers to (no credentials), or undefined when it has none. */
  get remoteIdentity(): string | undefined {
    if (!this.remote) return undefined;
    let url = this.remote.url;
    try {
      const parsed = new URL(url);
      parsed.username = '';
      parsed.password = '';
      url = parsed.toString();
    } catch {
      // Not a URL (a path): as written.
    }
    return `${url} (branch ${this.branch})`;
  }

  /** Commits the desired state of one app in one environment; returns the commit, or undefined if nothing changed. */
  async commitAppState(request: GitOpsCommitRequest): Promise<string | undefined> {
    const edits = new Map<string, TreeEdit>();
    const folder: Record<string, string> = {};
    for (const [file, content] of Object.entries(request.files)) {
      folder[safeRelative(file)] = content;
    }
    edits.set(`${safeSegment(request.env)}/${safeSegment(request.app)}`, { folder });
    for (const [file, content] of Object.entries(request.extraFiles ?? {})) {
      edits.set(safeRelative(file), fileEdit(content));
    }
    return this.commitEdits(edits, request.message, `${request.env}/${request.app}`, request.blobs);
  }

  /** Commits files written (content) or removed (null), by repository path; returns the commit, or undefined if nothing changed. */
  async commitFiles(files: Record<string, string | null>, message: string): Promise<string | undefined> {
    const edits = new Map(Object.entries(files).map(([file, content]) => [safeRelative(file), fileEdit(content)]));
    return this.commitEdits(edits, message, Object.keys(files).join(', '));
  }

  private async commitEdits(edits: Map<string, TreeEdit>, text: string, what: string, stored?: Map<string, string>): Promise<string | undefined> {
    const message = text.endsWith('\n') ? text : `${text}\n`;
    let base = await this.exclusive(() => this.#sync.syncFromRemote());
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const baseTree = base ? (await git.readCommit({ fs: gitFileSystem, gitdir: this.dir, oid: base })).commit.tree : undefined;
      const tree = (await this.#objects.editTree(baseTree, edits, stored)) ?? (await this.#objects.writeTree([]));
      if (tree === baseTree) return undefined;
      const now = new Date();
      const signature = { ...AUTHOR, timestamp: Math.floor(now.getTime() / 1000), timezoneOffset: now.getTimezoneOffset() };
      const commit = await git.writeCommit({
        fs: gitFileSystem,
        gitdir: this.dir,
        commit: { message, tree, parent: base ? [base] : [], author: signature, committer: signature },
      });
      const expected = base;
      const moved = await this.exclusive(() => this.#sync.moveBranch(expected, commit));
      if (moved === commit) return commit;
      base = moved;
    }
    throw new Error(`The GitOps branch ${this.branch} kept moving; ${what} was not committed`);
  }

  /** The content of `<env>/<app>/` on the branch (fetched first from a remote), keyed by path inside that folder. */
  async readAppState(app: string, env: string): Promise<Record<string, string>> {
    return this.readFiles(`${safeSegment(env)}/${safeSegment(app)}`);
  }

  /**
   * The files of a folder on the branch (fetched first from a remote), keyed
   * by path inside that folder; with `nested: false` only its own files.
   */
  async readFiles(folder: string, options: { nested?: boolean } = {}): Promise<Record<string, string>> {
    const head = await this.exclusive(() => this.#sync.syncFromRemote());
    const result: Record<string, string> = {};
    if (!head) return result;
    let oid: string | undefined = (await git.readCommit({ fs: gitFileSystem, gitdir: this.dir, oid: head })).commit.tree;
    for (const name of safeRelative(folder).split('/')) {
      oid = oid ? (await this.#objects.readTree(oid)).find(e => e.path === name && e.type === 'tree')?.oid : undefined;
    }
    if (oid) await this.#objects.readFolder(oid, '', result, options.nested ?? true);
    return result;
  }

  /** Commits on the branch, newest first. */
  async log(depth = 50): Promise<{ oid: string; message: string }[]> {
    if (!(await this.#sync.head())) return [];
    const entries = await git.log({ fs: gitFileSystem, gitdir: this.dir, ref: this.branch, depth });
    return entries.map(e => ({ oid: e.oid, message: e.commit.message }));
  }

  /**
   * Writes the blobs of these contents, skipping those already stored;
   * returns their oids by content. Many new blobs go into one pack (a big
   * deployment has thousands), a few are written as loose objects. Called
   * ahead of a commit (the objects no branch points at until then), its
   * result goes in {@link GitOpsCommitRequest.blobs}.
   */
  async storeBlobs(contents: string[]): Promise<Map<string, string>> {
    return this.#objects.storeBlobs(contents);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#refUpdates.then(fn, fn);
    this.#refUpdates = run.catch(() => undefined);
    return run;
  }
}

/** Refuses absolute paths, `..` and empty names so a file name cannot escape its folder. */
function safeRelative(file: string): string {
  const normalized = path.posix.normalize(file);
  if (normalized.startsWith('/') || normalized.startsWith('..') || normalized === '.' || normalized.endsWith('/')) {
    throw new Error(`Invalid GitOps file path ${file}`);
  }
  return normalized;
}

/** An app or environment id names one folder. */
function safeSegment(name: string): string {
  if (!name || name.includes('/') || name === '.' || name === '..') {
    throw new Error(`Invalid GitOps folder name ${name}`);
  }
  return name;
}
