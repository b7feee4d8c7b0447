'use strict';

/*
 * Worker thread writing a deployment's blobs as a Git pack (writeBlobPack:
 * compressing, checksumming and writing thousands of files) beside a
 * server's event loop. Plain JavaScript that loads the pack writer through
 * the package's own name, so that it runs from the sources (with the
 * TypeScript hook the parent was started with) and from the published
 * package alike.
 *
 * Request, in batches: { id, gitdir, data: Uint8Array, objects: { oid, start,
 * end }[], last }, each object's body the bytes from start to end of data;
 * the pack is written once the batch marked last has come. The worker posts
 * { ready: true } once loaded, then { id } once a pack is written, or
 * { id, error } when writing it failed.
 */
const { parentPort } = require('node:worker_threads');

// From the sources (tests, a development backend) the pack writer is TypeScript:
// loaded through Backstage's transform, which a parent started with it has
// already registered in this thread too (then this is a no-op).
if (require.resolve('@baton/backstage-plugin-orchestrator-backend/packfile').endsWith('.ts')) {
  // Only from the sources, where the repository's development tooling is installed.
  // eslint-disable-next-line @backstage/no-undeclared-imports
  require('@backstage/cli-node/config/nodeTransform.cjs');
}
const { writeBlobPack } = require('@baton/backstage-plugin-orchestrator-backend/packfile');

/** The objects of each pack whose last batch has not come yet, by request. */
const gathering = new Map();

parentPort.on('message', ({ id, gitdir, data, objects, last }) => {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const pack = gathering.get(id) ?? [];
  for (const o of objects) pack.push({ oid: o.oid, body: bytes.subarray(o.start, o.end) });
  if (!last) {
    gathering.set(id, pack);
    return;
  }
  gathering.delete(id);
  writeBlobPack(gitdir, pack).then(
    () => parentPort.postMessage({ id }),
    error => parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) }),
  );
});
parentPort.postMessage({ ready: true });
