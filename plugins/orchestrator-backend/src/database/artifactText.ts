import { stringifyInSlices } from '@baton/backstage-plugin-orchestrator-node';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Below this many characters an artifact is stored as plain JSON. */
const COMPRESS_FROM = 64 * 1024;
/** No JSON text starts with it, so stored texts of both kinds read back unambiguously. */
const GZIP_PREFIX = 'gzip:';

/**
 * A deployment artifact as stored: JSON, gzip-compressed (base64) when big.
 * A 10,000-workload app's plan and delivered files are tens of MB of JSON:
 * written as they are, the database write alone held the backend's thread
 * for a third of a second (SQLite writes synchronously); compressed in
 * libuv's thread pool they are a tenth of that, and stringifying goes in
 * time slices.
 *
 * @internal
 */
export async function artifactToText(value: unknown): Promise<string> {
  const json = await stringifyInSlices(value);
  if (json.length < COMPRESS_FROM) return json;
  return GZIP_PREFIX + (await gzipAsync(json)).toString('base64');
}

/** Reads what {@link artifactToText} wrote (and plain JSON written before it compressed). @internal */
export async function artifactFromText(text: string | null | undefined): Promise<unknown> {
  if (text === null || text === undefined) return undefined;
  if (!text.startsWith(GZIP_PREFIX)) return JSON.parse(text);
  return JSON.parse((await gunzipAsync(Buffer.from(text.slice(GZIP_PREFIX.length), 'base64'))).toString('utf8'));
}
