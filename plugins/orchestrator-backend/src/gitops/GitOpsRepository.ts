import type { Config } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import git, { TreeEntry } from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import { TimeSlices } from '@baton/backstage-plugin-orchestrator-node';
import { BlobPackWriter } from './BlobPackWriter';
import { compareCodeUnits, OBJECT_COMPRESSION, PackObject } from './packfile';
import { gitFileSystem } from './gitFileSystem';
import { writeFileWholeSync } from './writeFileWhole';


/** Objects bigger than this are compressed off the backend's thread. */
const LARGE_OBJECT = 64 * 1024;
const deflate = promisify(zlib.deflate);
/** Names whose UTF-16 order is their byte order, the order Git keeps. */
const PRINTABLE_ASCII = /^[ -~]*$/;

/** A remote the repository is pushed to, with credentials from the integrations config. @internal */
export interface GitOpsRemote {
  url: string;
  branch: string;
  username?: string;
  password?: string;
}

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

/** Trees kept parsed in memory, by oid; enough for the top folders every commit rewrites. */
const TREE_CACHE_SIZE = 256;

/** From how many new blobs a commit writes them as one pack rather than a file each. */
const PACK_THRESHOLD = 64;

/** Blob oids remembered as stored. */
const BLOB_CACHE_SIZE = 100_000;

/**
 * A file replacing an entry (`content`), or a folder replacing a subtree
 * whole (`folder`, by path inside it; empty removes it).
 */
type TreeEdit = { content: string } | { folder: Record<string, string> };

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
  /**
   * Trees never change under an oid; the folders every commit touches (an
   * environment's, `argocd/`) grow with the apps, so they are parsed once.
   */
  #trees = new Map<string, TreeEntry[]>();
  /** Oids of blobs this process wrote: a redeployment's unchanged files are not written again. */
  #blobs = new Set<string>();

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
    return new GitOpsRepository(dir, branch, remote);
  }

  private constructor(
    /** The bare repository's directory. */
    readonly dir: string,
    readonly branch: string,
    private readonly remote?: GitOpsRemote,
  ) {}

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
    let base = await this.exclusive(() => this.syncFromRemote());
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const baseTree = base ? (await git.readCommit({ fs: gitFileSystem, gitdir: this.dir, oid: base })).commit.tree : undefined;
      const tree = (await this.editTree(baseTree, edits, stored)) ?? (await this.writeTree([]));
      if (tree === baseTree) return undefined;
      const now = new Date();
      const signature = { ...AUTHOR, timestamp: Math.floor(now.getTime() / 1000), timezoneOffset: now.getTimezoneOffset() };
      const commit = await git.writeCommit({
        fs: gitFileSystem,
        gitdir: this.dir,
        commit: { message, tree, parent: base ? [base] : [], author: signature, committer: signature },
      });
      const expected = base;
      const moved = await this.exclusive(() => this.moveBranch(expected, commit));
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
    const head = await this.exclusive(() => this.syncFromRemote());
    const result: Record<string, string> = {};
    if (!head) return result;
    let oid: string | undefined = (await git.readCommit({ fs: gitFileSystem, gitdir: this.dir, oid: head })).commit.tree;
    for (const name of safeRelative(folder).split('/')) {
      oid = oid ? (await this.readTree(oid)).find(e => e.path === name && e.type === 'tree')?.oid : undefined;
    }
    if (oid) await this.readFolder(oid, '', result, options.nested ?? true);
    return result;
  }

  /** Commits on the branch, newest first. */
  async log(depth = 50): Promise<{ oid: string; message: string }[]> {
    if (!(await this.branchHead())) return [];
    const entries = await git.log({ fs: gitFileSystem, gitdir: this.dir, ref: this.branch, depth });
    return entries.map(e => ({ oid: e.oid, message: e.commit.message }));
  }

  private async branchHead(): Promise<string | undefined> {
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
  private async moveBranch(base: string | undefined, commit: string): Promise<string | undefined> {
    const current = await this.branchHead();
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

  /**
   * Applies `edits` (by path) to the tree `oid`; returns the new tree,
   * undefined when it is empty. The new files' blobs are written first, all
   * at once; a file whose content the tree already holds is not written again.
   */
  private async editTree(oid: string | undefined, edits: Map<string, TreeEdit>, stored?: Map<string, string>): Promise<string | undefined> {
    // A set of thousands of file contents hashes each one: in time slices.
    const contents = new Set<string>();
    const slices = new TimeSlices();
    for (const edit of edits.values()) {
      for (const content of 'content' in edit ? [edit.content] : Object.values(edit.folder)) {
        await slices.pause();
        if (!stored?.has(content)) contents.add(content);
      }
    }
    const blobs = await this.storeBlobs([...contents]);
    for (const [content, blob] of stored ?? []) blobs.set(content, blob);
    return this.buildTree(oid, edits, blobs);
  }

  private async buildTree(oid: string | undefined, edits: Map<string, TreeEdit>, blobs: Map<string, string>): Promise<string | undefined> {
    const entries = new Map((oid ? await this.readTree(oid) : []).map(e => [e.path, e]));
    const nested = new Map<string, Map<string, TreeEdit>>();
    // An app's folder of a big deployment has thousands of files: in time slices.
    const slices = new TimeSlices();
    for (const [file, edit] of edits) {
      await slices.pause();
      const slash = file.indexOf('/');
      if (slash < 0) {
        const replacement =
          'content' in edit
            ? { mode: '100644', path: file, type: 'blob' as const, oid: blobs.get(edit.content)! }
            : await this.folderEntry(file, edit.folder, blobs);
        if (replacement) entries.set(file, replacement);
        else entries.delete(file);
        continue;
      }
      const name = file.slice(0, slash);
      if (!nested.has(name)) nested.set(name, new Map());
      nested.get(name)!.set(file.slice(slash + 1), edit);
    }
    for (const [name, inner] of nested) {
      const existing = entries.get(name);
      const tree = await this.buildTree(existing?.type === 'tree' ? existing.oid : undefined, inner, blobs);
      if (tree) entries.set(name, { mode: '040000', path: name, type: 'tree', oid: tree });
      else entries.delete(name);
    }
    return entries.size ? this.writeTree([...entries.values()]) : undefined;
  }

  private async folderEntry(name: string, files: Record<string, string>, blobs: Map<string, string>): Promise<TreeEntry | undefined> {
    const edits = new Map(Object.entries(files).map(([file, content]) => [file, { content }]));
    const oid = await this.buildTree(undefined, edits, blobs);
    return oid ? { mode: '040000', path: name, type: 'tree', oid } : undefined;
  }

  private async readFolder(oid: string, prefix: string, into: Record<string, string>, nested: boolean) {
    for (const entry of await this.readTree(oid)) {
      if (entry.type === 'tree') {
        if (nested) await this.readFolder(entry.oid, `${prefix}${entry.path}/`, into, nested);
      } else if (entry.type === 'blob') {
        const { blob } = await git.readBlob({ fs: gitFileSystem, gitdir: this.dir, oid: entry.oid });
        into[prefix + entry.path] = Buffer.from(blob).toString('utf8');
      }
    }
  }

  private async readTree(oid: string): Promise<TreeEntry[]> {
    const cached = this.#trees.get(oid);
    if (cached) return cached;
    const { tree } = await git.readTree({ fs: gitFileSystem, gitdir: this.dir, oid });
    this.remember(oid, tree);
    return tree;
  }

  /** Writes a tree object; serialized here, in one buffer, since the folders every commit rewrites have thousands of entries. */
  private async writeTree(tree: TreeEntry[]): Promise<string> {
    // Git orders entries bytewise, a folder as if its name ended in a slash.
    // For ASCII names (nearly all) string order is byte order, and much cheaper.
    const keyed = tree.map(e => ({ e, key: e.type === 'tree' ? `${e.path}/` : e.path }));
    if (keyed.every(k => PRINTABLE_ASCII.test(k.key))) keyed.sort((a, b) => compareCodeUnits(a.key, b.key));
    else keyed.sort((a, b) => Buffer.compare(Buffer.from(a.key, 'utf8'), Buffer.from(b.key, 'utf8')));
    // Each entry is "<mode> <name>\0" and the 20 bytes of its id, written into one buffer.
    const heads = keyed.map(({ e }) => `${e.mode.replace(/^0/, '')} ${e.path}\0`);
    const body = Buffer.alloc(heads.reduce((size, head) => size + Buffer.byteLength(head, 'utf8') + 20, 0));
    let offset = 0;
    keyed.forEach(({ e }, i) => {
      offset += body.write(heads[i], offset, 'utf8');
      offset += body.write(e.oid, offset, 'hex');
    });
    const oid = await this.writeLooseObject('tree', body);
    this.remember(oid, tree);
    return oid;
  }

  /** Writes a loose object (unless stored already); returns its oid. */
  private async writeLooseObject(type: 'blob' | 'tree', body: Buffer): Promise<string> {
    const object = Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]);
    const oid = createHash('sha1').update(object).digest('hex');
    const file = path.join(this.dir, 'objects', oid.slice(0, 2), oid.slice(2));
    // Small files, written at once (see gitFileSystem): no turn of the event loop per call.
    if (!fs.existsSync(file)) {
      // The tree of a folder of thousands of files is hundreds of kilobytes: compressed in the thread pool.
      const compressed =
        object.length > LARGE_OBJECT ? await deflate(object, { level: OBJECT_COMPRESSION }) : zlib.deflateSync(object, { level: OBJECT_COMPRESSION });
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeFileWholeSync(file, compressed);
    }
    return oid;
  }

  private remember(oid: string, tree: TreeEntry[]) {
    if (this.#trees.size >= TREE_CACHE_SIZE) this.#trees.delete(this.#trees.keys().next().value!);
    this.#trees.set(oid, tree);
  }

  /**
   * Writes the blobs of these contents, skipping those already stored;
   * returns their oids by content. Many new blobs go into one pack (a big
   * deployment has thousands), a few are written as loose objects. Called
   * ahead of a commit (the objects no branch points at until then), its
   * result goes in {@link GitOpsCommitRequest.blobs}.
   */
  async storeBlobs(contents: string[]): Promise<Map<string, string>> {
    const oids = new Map<string, string>();
    const missing: PackObject[] = [];
    const slices = new TimeSlices();
    for (const content of contents) {
      await slices.pause();
      const body = Buffer.from(content, 'utf8');
      const oid = createHash('sha1').update(`blob ${body.length}\0`).update(body).digest('hex');
      oids.set(content, oid);
      if (!this.#blobs.has(oid)) missing.push({ oid, body });
    }
    if (missing.length >= PACK_THRESHOLD) {
      await BlobPackWriter.shared.write(this.dir, missing);
    } else {
      for (const { body } of missing) await this.writeLooseObject('blob', body);
    }
    for (const { oid } of missing) this.rememberBlob(oid);
    return oids;
  }

  private rememberBlob(oid: string) {
    if (this.#blobs.size >= BLOB_CACHE_SIZE) this.#blobs.delete(this.#blobs.values().next().value!);
    this.#blobs.add(oid);
  }

  /** The remote is the source of truth: fetches it and moves the branch to it. Returns the branch's commit. */
  private async syncFromRemote(): Promise<string | undefined> {
    const head = await this.branchHead();
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

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#refUpdates.then(fn, fn);
    this.#refUpdates = run.catch(() => undefined);
    return run;
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

/** A file's edit: its content, or its removal (an empty folder in its place is none). */
function fileEdit(content: string | null): TreeEdit {
  return content === null ? { folder: {} } : { content };
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
