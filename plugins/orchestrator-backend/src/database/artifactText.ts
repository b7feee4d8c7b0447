import { parseInSlices, stringifyPieces } from '@baton/backstage-plugin-orchestrator-node';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { createGzip, gunzip, Gzip } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

/** Below this many characters an artifact is stored as plain JSON. */
const COMPRESS_FROM = 64 * 1024;
/** What the compressor is given and gives back at a time. */
const COMPRESSOR_CHUNK = 1024 * 1024;
/** No JSON text starts with it, so stored texts of both kinds read back unambiguously. */
const GZIP_PREFIX = 'gzip:';

/**
 * A deployment artifact (and a deployment set) as stored: JSON,
 * gzip-compressed (base64) when big.
 * A 10,000-workload app's plan and delivered files are tens of MB of JSON:
 * written as they are, the database write alone held the backend's thread
 * for a third of a second (SQLite writes synchronously); compressed in
 * libuv's thread pool they are a tenth of that. The JSON is made in time
 * slices and streamed into the compressor piece by piece: joined and encoded
 * whole, tens of MB took a fifth of a second of the thread.
 *
 * @internal
 */
export async function artifactToText(value: unknown): Promise<string> {
  // Small texts stay JSON: pieces are kept until they reach COMPRESS_FROM.
  let small: string[] | undefined = [];
  let smallLength = 0;
  // Then pieces are encoded straight into a buffer the compressor's size, handed over
  // when full: each hand-over waits for a turn of the event loop, which is long while
  // other work runs in time slices. Joining the pieces first cost as much again.
  let gzip: Gzip | undefined;
  const compressed: Buffer[] = [];
  let buffer: Buffer | undefined;
  let used = 0;
  const handOver = () => {
    if (!gzip) {
      gzip = createGzip({ chunkSize: COMPRESSOR_CHUNK });
      gzip.on('data', (chunk: Buffer) => compressed.push(chunk));
    }
    if (buffer && used) gzip.write(buffer.subarray(0, used));
    buffer = undefined;
    used = 0;
  };
  const encode = (piece: string) => {
    // A UTF-16 unit is at most three bytes of UTF-8.
    if (used + piece.length * 3 > COMPRESSOR_CHUNK) {
      handOver();
      if (piece.length * 3 > COMPRESSOR_CHUNK) {
        gzip!.write(piece);
        return;
      }
    }
    buffer ??= Buffer.allocUnsafe(COMPRESSOR_CHUNK);
    used += buffer.write(piece, used);
  };
  await stringifyPieces(value, piece => {
    if (!small) {
      encode(piece);
      return;
    }
    small.push(piece);
    smallLength += piece.length;
    if (smallLength >= COMPRESS_FROM) {
      for (const p of small) encode(p);
      small = undefined;
    }
  });
  if (small) return small.join('');
  handOver();
  const ended = once(gzip!, 'end');
  gzip!.end();
  await ended;
  return GZIP_PREFIX + Buffer.concat(compressed).toString('base64');
}

/**
 * Reads what {@link artifactToText} wrote (and plain JSON written before it
 * compressed); a big one is parsed in time slices (the previous graph of a
 * big app, read by its next deployment, is tens of MB).
 *
 * @internal
 */
export async function artifactFromText(text: string | null | undefined): Promise<unknown> {
  if (text === null || text === undefined) return undefined;
  if (!text.startsWith(GZIP_PREFIX)) return JSON.parse(text);
  const json = await gunzipAsync(Buffer.from(text.slice(GZIP_PREFIX.length), 'base64'), { chunkSize: COMPRESSOR_CHUNK });
  return parseInSlices(json.toString('utf8'));
}
