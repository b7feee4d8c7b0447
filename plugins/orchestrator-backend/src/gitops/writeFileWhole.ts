import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes a file so that it appears whole or not at all: to a temporary file
 * beside it, then renamed. Git writes loose objects, packs and refs in place,
 * so a crash mid-write would leave a truncated file that later reads take as
 * present. The temporary name starts with a dot, which Git skips when it
 * lists refs, so one left by a crash is never read as a branch.
 *
 * @internal
 */
export async function writeFileWhole(file: string, data: string | Uint8Array | Uint8Array[], options?: fs.WriteFileOptions) {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
  await fs.promises.writeFile(temporary, data, options);
  await fs.promises.rename(temporary, file);
}

/** {@link writeFileWhole}, finished before it returns: for the small files a commit writes. @internal */
export function writeFileWholeSync(file: string, data: string | Uint8Array, options?: fs.WriteFileOptions) {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
  fs.writeFileSync(temporary, data, options);
  fs.renameSync(temporary, file);
}
