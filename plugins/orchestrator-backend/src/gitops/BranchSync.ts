import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import fs from 'node:fs';
import path from 'node:path';
import { gitFileSystem } from './gitFileSystem';

/** A remote the repository is pushed to, with credentials from the integrations config. @internal */
export interface GitOpsRemote {
  url: string;
  branch: string;
  username?: string;
  password?: string;
}

/**
 * Opens the bare repository at `dir`, made first when missing: cloned from
 * the remote (or started empty when the remote is), or initialised. Returns
 * the branch commits go to, which HEAD then points at.
 */
export async function openBareRepository(dir: string, remote?: GitOpsRemote): Promise<string> {
  await migrateToBare(dir);
  if (!fs.existsSync(path.join(dir, 'config'))) {
    if (remote) {
      try {
        await git.clone({
          fs: gitFileSystem,
          http,
          dir,
          gitdir: dir,
          url: remote.url,
          ref: remote.branch,
          singleBranch: true,
          noCheckout: true,
          onAuth: () => auth(remote),
        });
      } catch (error) {
        // An empty remote has no branch to clone yet: start locally, push later.
        if ((error as Error).name !== 'NotFoundError') throw error;
        await git.init({ fs: gitFileSystem, dir, bare: true, defaultBranch: remote.branch });
        await git.addRemote({ fs: gitFileSystem, gitdir: dir, remote: 'origin', url: remote.url });
      }
      await git.setConfig({ fs: gitFileSystem, gitdir: dir, path: 'core.bare', value: true });
    } else {
      await git.init({ fs: gitFileSystem, dir, bare: true, defaultBranch: 'main' });
    }
  }
  const branch =
    remote?.branch ?? (await git.currentBranch({ fs: gitFileSystem, gitdir: dir, fullname: false })) ?? 'main';
  // Cloning an empty remote leaves HEAD on no branch: point it at the one committed to.
  await git.writeRef({ fs: gitFileSystem, gitdir: dir, ref: 'HEAD', value: `refs/heads/${branch}`, symbolic: true, force: true });
  return branch;
}

/**
 * The branch commits go to, in step with the remote when there is one: the
 * remote is the source of truth, read before each read or write, and a
 * branch moved under a writer is taken from it.
 */
export class BranchSync {
  constructor(
    private readonly dir: string,
    private readonly branch: string,
    private readonly remote?: GitOpsRemote,
  ) {}

  /** The branch's commit, or undefined before the first. */
  async head(): Promise<string | undefined> {
    try {
      return await git.resolveRef({ fs: gitFileSystem, gitdir: this.dir, ref: `refs/heads/${this.branch}` });
    } catch {
      return undefined;
    }
  }

  /**
   * Points the branch at `commit` if it is still at `base` (pushing it to the
   * remote); returns `commit` then, else where the branch is now.
   */
  async moveBranch(base: string | undefined, commit: string): Promise<string | undefined> {
    const current = await this.head();
    if (current !== base) return current;
    await this.setBranch(commit);
    if (!this.remote) return commit;
    try {
      await this.push();
      return commit;
    } catch (error) {
      // Another writer pushed first: build on its commit, unless the remote did not move.
      const remoteHead = await this.fetchRemoteHead().catch(() => base);
      await this.setBranch(remoteHead);
      if (remoteHead === base) throw error;
      return remoteHead;
    }
  }

  private async setBranch(oid: string | undefined) {
    const ref = `refs/heads/${this.branch}`;
    if (oid) await git.writeRef({ fs: gitFileSystem, gitdir: this.dir, ref, value: oid, force: true });
    else await git.deleteRef({ fs: gitFileSystem, gitdir: this.dir, ref });
  }

  /** The remote is the source of truth: fetches it and moves the branch to it. Returns the branch's commit. */
  async syncFromRemote(): Promise<string | undefined> {
    const head = await this.head();
    if (!this.remote) return head;
    let remoteHead: string | undefined;
    try {
      remoteHead = await this.fetchRemoteHead();
    } catch (error) {
      // A remote that is still empty has no branch to fetch: nothing to read yet, and the
      // first push creates it. Another replica may have pushed since this one started,
      // so an empty local branch is no reason not to ask.
      if (head || !(await this.remoteIsEmpty())) throw error;
      return head;
    }
    if (!remoteHead || remoteHead === head) return head;
    await this.setBranch(remoteHead);
    return remoteHead;
  }

  private async fetchRemoteHead(): Promise<string | undefined> {
    const remote = this.remote!;
    await git.fetch({
      fs: gitFileSystem,
      http,
      gitdir: this.dir,
      remote: 'origin',
      ref: remote.branch,
      singleBranch: true,
      onAuth: () => auth(remote),
    });
    return git
      .resolveRef({ fs: gitFileSystem, gitdir: this.dir, ref: `refs/remotes/origin/${remote.branch}` })
      .catch(() => undefined);
  }

  private async remoteIsEmpty(): Promise<boolean> {
    const remote = this.remote!;
    const refs = await git.listServerRefs({ http, url: remote.url, onAuth: () => auth(remote) });
    return !refs.some(ref => ref.ref === `refs/heads/${remote.branch}`);
  }

  private async push() {
    const remote = this.remote!;
    await git.push({
      fs: gitFileSystem,
      http,
      gitdir: this.dir,
      remote: 'origin',
      ref: remote.branch,
      onAuth: () => auth(remote),
    });
  }
}

/**
 * Earlier versions kept a working tree and index beside the history
 * (`<dir>/.git`), which a crash could leave half-staged. The history moves to
 * `<dir>` as a bare repository; the working tree and index are dropped. Each
 * step is a rename, so an interrupted migration finishes on the next start.
 */
async function migrateToBare(dir: string) {
  const moving = `${dir}.migrating`;
  if (fs.existsSync(path.join(dir, '.git'))) {
    await fs.promises.rename(path.join(dir, '.git'), moving);
  }
  if (fs.existsSync(moving)) {
    await fs.promises.rm(dir, { recursive: true, force: true });
    await fs.promises.rm(path.join(moving, 'index'), { force: true });
    await fs.promises.rename(moving, dir);
    await git.setConfig({ fs: gitFileSystem, gitdir: dir, path: 'core.bare', value: true });
  }
  await fs.promises.mkdir(dir, { recursive: true });
}

function auth(remote: GitOpsRemote) {
  return remote.username || remote.password
    ? { username: remote.username ?? 'x-access-token', password: remote.password }
    : {};
}
