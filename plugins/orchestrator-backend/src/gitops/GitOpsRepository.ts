import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import fs from 'node:fs';
import path from 'node:path';

/** A remote the repository is pushed to, with credentials from the integrations config. @internal */
export interface GitOpsRemote {
  url: string;
  branch: string;
  username?: string;
  password?: string;
}

/** @internal */
export interface GitOpsCommitRequest {
  app: string;
  env: string;
  /** Full desired content of `<env>/<app>/`; files not listed are removed. */
  files: Record<string, string>;
  /** Other repository files to write, keyed by repository-relative path. */
  extraFiles?: Record<string, string>;
  message: string;
}

const AUTHOR = { name: 'Baton', email: 'baton@localhost' };

/**
 * The Git repository Argo CD syncs: one folder per environment and app
 * (`<env>/<app>/…`). Writes are serialized; each call replaces the app's
 * folder with the desired content and commits only when something changed.
 *
 * @internal
 */
export class GitOpsRepository {
  #queue: Promise<unknown> = Promise.resolve();

  static async open(options: {
    dir: string;
    remote?: GitOpsRemote;
  }): Promise<GitOpsRepository> {
    const { dir, remote } = options;
    await fs.promises.mkdir(dir, { recursive: true });
    const exists = fs.existsSync(path.join(dir, '.git'));
    if (!exists && remote) {
      try {
        await git.clone({
          fs,
          http,
          dir,
          url: remote.url,
          ref: remote.branch,
          singleBranch: true,
          onAuth: () => auth(remote),
        });
      } catch (error) {
        // An empty remote has no branch to clone yet: start locally, push later.
        if ((error as Error).name !== 'NotFoundError') throw error;
        await git.init({ fs, dir, defaultBranch: remote.branch });
        await git.addRemote({ fs, dir, remote: 'origin', url: remote.url });
      }
      // Cloning an empty remote leaves HEAD on no branch: commit onto the configured one.
      await git.writeRef({
        fs,
        dir,
        ref: 'HEAD',
        value: `refs/heads/${remote.branch}`,
        symbolic: true,
        force: true,
      });
    } else if (!exists) {
      await git.init({ fs, dir, defaultBranch: 'main' });
    }
    return new GitOpsRepository(dir, remote);
  }

  private constructor(
    readonly dir: string,
    private readonly remote?: GitOpsRemote,
  ) {}

  /** Commits the desired state of one app in one environment; returns the commit, or undefined if nothing changed. */
  commitAppState(request: GitOpsCommitRequest): Promise<string | undefined> {
    return this.serialized(async () => {
      await this.syncFromRemote();
      const prefix = `${request.env}/${request.app}/`;
      const desired = new Map<string, string>();
      for (const [file, content] of Object.entries(request.files)) {
        desired.set(prefix + safeRelative(file), content);
      }
      for (const [file, content] of Object.entries(request.extraFiles ?? {})) {
        desired.set(safeRelative(file), content);
      }

      const tracked = await this.trackedFiles();
      for (const file of tracked) {
        if (file.startsWith(prefix) && !desired.has(file)) {
          await fs.promises.rm(path.join(this.dir, file), { force: true });
          await git.remove({ fs, dir: this.dir, filepath: file });
        }
      }
      for (const [file, content] of desired) {
        const full = path.join(this.dir, file);
        await fs.promises.mkdir(path.dirname(full), { recursive: true });
        await fs.promises.writeFile(full, content, 'utf8');
        await git.add({ fs, dir: this.dir, filepath: file });
      }

      if (!(await this.hasStagedChanges())) {
        return undefined;
      }
      const commit = await git.commit({
        fs,
        dir: this.dir,
        message: request.message,
        author: AUTHOR,
      });
      await this.push();
      return commit;
    });
  }

  /** The committed content of `<env>/<app>/` at HEAD, keyed by path inside that folder. */
  async readAppState(app: string, env: string): Promise<Record<string, string>> {
    const prefix = `${env}/${app}/`;
    const result: Record<string, string> = {};
    const head = await this.head();
    if (!head) return result;
    for (const file of await git.listFiles({ fs, dir: this.dir, ref: head })) {
      if (!file.startsWith(prefix)) continue;
      const { blob } = await git.readBlob({ fs, dir: this.dir, oid: head, filepath: file });
      result[file.slice(prefix.length)] = Buffer.from(blob).toString('utf8');
    }
    return result;
  }

  /** Commits on the current branch, newest first. */
  async log(depth = 50): Promise<{ oid: string; message: string }[]> {
    if (!(await this.head())) return [];
    const entries = await git.log({ fs, dir: this.dir, depth });
    return entries.map(e => ({ oid: e.oid, message: e.commit.message }));
  }

  private async head(): Promise<string | undefined> {
    try {
      return await git.resolveRef({ fs, dir: this.dir, ref: 'HEAD' });
    } catch {
      return undefined;
    }
  }

  private async trackedFiles(): Promise<string[]> {
    return git.listFiles({ fs, dir: this.dir });
  }

  private async hasStagedChanges(): Promise<boolean> {
    const matrix = await git.statusMatrix({ fs, dir: this.dir });
    // [file, HEAD, WORKDIR, STAGE]: anything whose stage differs from HEAD
    return matrix.some(([, headStatus, , stageStatus]) =>
      headStatus === 0 ? stageStatus !== 0 : stageStatus !== 1,
    );
  }

  private async syncFromRemote() {
    if (!this.remote || !(await this.head())) return;
    const { remote } = this;
    await git.fetch({
      fs,
      http,
      dir: this.dir,
      remote: 'origin',
      ref: remote.branch,
      singleBranch: true,
      onAuth: () => auth(remote),
    });
    const remoteHead = await git
      .resolveRef({ fs, dir: this.dir, ref: `refs/remotes/origin/${remote.branch}` })
      .catch(() => undefined);
    if (remoteHead) {
      // The remote is the source of truth: move the branch to it and check it out.
      await git.writeRef({
        fs,
        dir: this.dir,
        ref: `refs/heads/${remote.branch}`,
        value: remoteHead,
        force: true,
      });
      await git.checkout({ fs, dir: this.dir, ref: remote.branch, force: true });
    }
  }

  private async push() {
    if (!this.remote) return;
    const { remote } = this;
    await git.push({
      fs,
      http,
      dir: this.dir,
      remote: 'origin',
      ref: remote.branch,
      onAuth: () => auth(remote),
    });
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

function auth(remote: GitOpsRemote) {
  return remote.username || remote.password
    ? { username: remote.username ?? 'x-access-token', password: remote.password }
    : {};
}

/** Refuses absolute paths and `..` so a file name cannot escape its folder. */
function safeRelative(file: string): string {
  const normalized = path.posix.normalize(file);
  if (normalized.startsWith('/') || normalized.startsWith('..')) {
    throw new Error(`Invalid GitOps file path ${file}`);
  }
  return normalized;
}
