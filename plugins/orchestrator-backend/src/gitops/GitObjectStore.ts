import git, { TreeEntry } from 'isomorphic-git';
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
export type TreeEdit = { content: string } | { folder: Record<string, string> };

/** A file's edit: its content, or its removal (an empty folder in its place is none). */
export function fileEdit(content: string | null): TreeEdit {
  return content === null ? { folder: {} } : { content };
}

/**
 * The objects of the bare repository at `dir`: trees built from edits,
 * reusing every unchanged subtree by oid, and blobs written once. Trees and
 * blob oids are remembered, since the same folders are read and rewritten
 * by every commit.
 */
export class GitObjectStore {
  /**
   * Trees never change under an oid; the folders every commit touches (an
   * environment's, `argocd/`) grow with the apps, so they are parsed once.
   */
  #trees = new Map<string, TreeEntry[]>();
  /** Oids of blobs this process wrote: a redeployment's unchanged files are not written again. */
  #blobs = new Set<string>();

  constructor(private readonly dir: string) {}

  /**
   * Applies `edits` (by path) to the tree `oid`; returns the new tree,
   * undefined when it is empty. The new files' blobs are written first, all
   * at once; a file whose content the tree already holds is not written again.
   */
  async editTree(oid: string | undefined, edits: Map<string, TreeEdit>, stored?: Map<string, string>): Promise<string | undefined> {
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

  /** Reads the files of tree `oid` into `into`, by path after `prefix`; with `nested`, its folders' too. */
  async readFolder(oid: string, prefix: string, into: Record<string, string>, nested: boolean) {
    for (const entry of await this.readTree(oid)) {
      if (entry.type === 'tree') {
        if (nested) await this.readFolder(entry.oid, `${prefix}${entry.path}/`, into, nested);
      } else if (entry.type === 'blob') {
        const { blob } = await git.readBlob({ fs: gitFileSystem, gitdir: this.dir, oid: entry.oid });
        into[prefix + entry.path] = Buffer.from(blob).toString('utf8');
      }
    }
  }

  async readTree(oid: string): Promise<TreeEntry[]> {
    const cached = this.#trees.get(oid);
    if (cached) return cached;
    const { tree } = await git.readTree({ fs: gitFileSystem, gitdir: this.dir, oid });
    this.remember(oid, tree);
    return tree;
  }

  /** Writes a tree object; serialized here, in one buffer, since the folders every commit rewrites have thousands of entries. */
  async writeTree(tree: TreeEntry[]): Promise<string> {
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
   * deployment has thousands), a few are written as loose objects.
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
}
