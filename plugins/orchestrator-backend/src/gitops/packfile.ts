import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { writeFileWhole } from './writeFileWhole';

/** A Git object to store: its id and its content without the `blob <size>\0` header. */
export interface PackObject {
  oid: string;
  body: Buffer;
}

const BLOB_TYPE = 3;
/** The pack is written in parts of about this size. */
const PACK_PART_BYTES = 1024 * 1024;

/**
 * The zlib level of the objects a deployment writes: Git's own for loose
 * objects (`core.looseCompression`, 1), which a deployment's pack stands in
 * for. On a deployment's YAML files the default level took twice as long
 * for 10% less; `git gc` repacks at its own level.
 *
 * @internal
 */
export const OBJECT_COMPRESSION = 1;

/**
 * Writes blobs as one pack and its version 2 index into `objects/pack`: two
 * files for a deployment's thousands of new files instead of one file each.
 * The pack is renamed into place before its index, so an index that exists
 * always describes a whole pack; a crash leaves at most an unreferenced pack.
 * `pause` is awaited between objects (a server's thread passes its time
 * slices; the pack worker has nothing else to do). This file needs nothing
 * but Node.js, so that the pack worker loads it alone.
 *
 * @internal
 */
export async function writeBlobPack(gitdir: string, objects: PackObject[], pause: () => Promise<void> = async () => undefined): Promise<void> {
  const header = Buffer.alloc(12);
  header.write('PACK', 0, 'latin1');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(objects.length, 8);
  // The pack is hashed as it is made and kept in parts of about a megabyte: joined
  // and hashed whole at the end, a big deployment's pack held the thread at once.
  const checksum = createHash('sha1').update(header);
  const parts: Buffer[] = [];
  let part: Buffer[] = [header];
  let partBytes = header.length;
  let offset = header.length;
  const entries: PackIndexEntry[] = [];
  for (const object of objects) {
    await pause();
    const entry = Buffer.concat([entryHeader(BLOB_TYPE, object.body.length), zlib.deflateSync(object.body, { level: OBJECT_COMPRESSION })]);
    entries.push({ oid: object.oid, crc: zlib.crc32(entry), offset });
    checksum.update(entry);
    part.push(entry);
    partBytes += entry.length;
    offset += entry.length;
    if (partBytes >= PACK_PART_BYTES) {
      parts.push(Buffer.concat(part));
      part = [];
      partBytes = 0;
    }
  }
  if (offset >= 2 ** 31) throw new Error('A GitOps pack over 2 GiB is not supported');
  const packChecksum = checksum.digest();
  parts.push(Buffer.concat([...part, packChecksum]));
  const name = `pack-${packChecksum.toString('hex')}`;
  const folder = path.join(gitdir, 'objects', 'pack');
  await fs.promises.mkdir(folder, { recursive: true });
  await writeFileWhole(path.join(folder, `${name}.pack`), parts);
  await writeFileWhole(path.join(folder, `${name}.idx`), packIndex(entries, packChecksum));
}

/** The object header of a pack entry: type and size, 4 then 7 bits a byte. */
function entryHeader(type: number, size: number): Buffer {
  const bytes: number[] = [];
  let byte = (type << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes.push(byte | 0x80);
    byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}

/** Orders strings by UTF-16 code units (for hex or ASCII text, byte order). @internal */
export function compareCodeUnits(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

interface PackIndexEntry {
  /** Hex: ordered as strings, hex ids are in byte order. */
  oid: string;
  crc: number;
  offset: number;
}

/** A version 2 pack index: fan-out table, sorted ids, CRCs, offsets, checksums. */
function packIndex(entries: PackIndexEntry[], packChecksum: Buffer): Buffer {
  const sorted = [...entries].sort((a, b) => compareCodeUnits(a.oid, b.oid));
  const n = sorted.length;
  const index = Buffer.alloc(8 + 256 * 4 + n * (20 + 4 + 4) + 20);
  index.writeUInt32BE(0xff744f63, 0);
  index.writeUInt32BE(2, 4);
  const fanout = new Array<number>(256).fill(0);
  for (const e of sorted) fanout[parseInt(e.oid.slice(0, 2), 16)]++;
  let cumulative = 0;
  for (let i = 0; i < 256; i++) {
    cumulative += fanout[i];
    index.writeUInt32BE(cumulative, 8 + i * 4);
  }
  const ids = 8 + 256 * 4;
  const crcs = ids + n * 20;
  const offsets = crcs + n * 4;
  sorted.forEach((e, i) => {
    index.write(e.oid, ids + i * 20, 'hex');
    index.writeUInt32BE(e.crc >>> 0, crcs + i * 4);
    index.writeUInt32BE(e.offset, offsets + i * 4);
  });
  packChecksum.copy(index, offsets + n * 4);
  return Buffer.concat([index, createHash('sha1').update(index).digest()]);
}
