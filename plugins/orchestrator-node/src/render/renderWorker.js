'use strict';

/*
 * Worker thread rendering workloads (renderWorkload, Kubernetes schema
 * validation included) beside a server's event loop. Plain JavaScript that
 * loads the engine through the package's own name, so that it runs from the
 * sources (with the TypeScript hook the parent was started with) and from
 * the published package alike.
 *
 * Request: { id, jobs: RenderWorkloadJob[] }. The worker posts { ready: true }
 * once loaded, then { id, results: RenderWorkloadResult[] } per request, or
 * { id, error } when rendering threw something other than a validation error.
 */
const { parentPort } = require('node:worker_threads');

// From the sources (tests, a development backend) the engine is TypeScript:
// loaded through Backstage's transform, which a parent started with it has
// already registered in this thread too (then this is a no-op).
if (require.resolve('@baton/backstage-plugin-orchestrator-node/renderJobs').endsWith('.ts')) {
  // Only from the sources, where the repository's development tooling is installed.
  // eslint-disable-next-line @backstage/no-undeclared-imports
  require('@backstage/cli-node/config/nodeTransform.cjs');
}
const { loadKubernetesValidators, renderWorkloadJob } = require('@baton/backstage-plugin-orchestrator-node/renderJobs');

loadKubernetesValidators().then(() => {
  parentPort.on('message', ({ id, jobs }) => {
    try {
      parentPort.postMessage({ id, results: jobs.map(job => renderWorkloadJob(job)) });
    } catch (error) {
      parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
    }
  });
  parentPort.postMessage({ ready: true });
});
