import fs from 'node:fs';
import { writeFileWholeSync } from './writeFileWhole';

/** Files read in the thread pool: packs may be tens of MB. */
const PACK = /\.pack$/;

/**
 * The file system isomorphic-git works on. A commit is dozens of small file
 * operations (objects, refs, config); through `fs.promises` each waits for a
 * turn of the event loop, and while a big deployment runs in time slices a
 * turn is tens of milliseconds: a one-workload commit took seconds. Here
 * they finish at once, as Git's own do; only packs are read in the thread
 * pool. Every file is written whole (see `writeFileWhole`).
 *
 * @internal
 */
export const gitFileSystem = {
  promises: {
    ...fs.promises,
    async readFile(file: fs.PathLike, options?: any) {
      return PACK.test(String(file)) ? fs.promises.readFile(file, options) : fs.readFileSync(file, options);
    },
    async writeFile(file: string, data: string | Uint8Array, options?: fs.WriteFileOptions) {
      writeFileWholeSync(file, data, options);
    },
    async stat(file: fs.PathLike, options?: any) {
      return fs.statSync(file, options);
    },
    async lstat(file: fs.PathLike, options?: any) {
      return fs.lstatSync(file, options);
    },
    async readdir(dir: fs.PathLike, options?: any) {
      return fs.readdirSync(dir, options);
    },
    async mkdir(dir: fs.PathLike, options?: any) {
      return fs.mkdirSync(dir, options);
    },
    async unlink(file: fs.PathLike) {
      fs.unlinkSync(file);
    },
    async rmdir(dir: fs.PathLike) {
      fs.rmdirSync(dir);
    },
    async rename(from: fs.PathLike, to: fs.PathLike) {
      fs.renameSync(from, to);
    },
    async readlink(file: fs.PathLike, options?: any) {
      return fs.readlinkSync(file, options);
    },
  },
};
