import { TestDatabases } from '@backstage/backend-test-utils';
import git from 'isomorphic-git';
import fs from 'node:fs';
import path from 'node:path';
import { createTestOrchestrator } from '../__testUtils__/createTestOrchestrator';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';

jest.setTimeout(180_000);

// A big deployment of an environment is running when a newer, small request
// for the same environment arrives: the two run one after the other, neither
// status changes once terminal, and the environment's resources and its
// GitOps folder end at the newer request.
const databases = TestDatabases.create({ ids: testDatabaseIds });

const definitions = `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: pg }
spec:
  type: postgres
  driver: echo
  driverInputs: { values: { host: "pg-\${context.res.id}" } }
  criteria: [{}]
`;
const workload = (name: string, tag: string) => `apiVersion: score.dev/v1b1
metadata: { name: ${name} }
containers:
  main:
    image: ${name}:${tag}
    variables: { DB: "\${resources.db.host}" }
resources:
  db: { type: postgres }
`;

describe.each(databases.eachSupportedId())('the newest request wins (%s)', id => {
  it('a newer request made during a big deployment runs after it, and the environment ends at the newer one', async () => {
    const knex = await databases.init(id);
    const { api, dataDir, stop } = await createTestOrchestrator({ knex, definitions, environments: { 'shop/dev': 'development' } });
    try {
      const base = '/api/orchestrator/apps/shop/envs/dev';
      const big = await api
        .post(`${base}/deployments`)
        .send({ workloads: Array.from({ length: 400 }, (_, i) => workload(`svc-${i}`, 'big')) })
        .expect(202);
      // The newer request arrives once the big one is running.
      const statuses = new Map<string, string[]>();
      const observe = async (deploymentId: string) => {
        const { status } = (await api.get(`${base}/deployments/${deploymentId}`).expect(200)).body;
        const seen = statuses.get(deploymentId) ?? [];
        if (seen[seen.length - 1] !== status) statuses.set(deploymentId, [...seen, status]);
        return status as string;
      };
      while ((await observe(big.body.id)) === 'queued') await new Promise(r => setTimeout(r, 10));
      const newer = await api.post(`${base}/deployments`).send({ workloads: [workload('svc-3', 'newest')] }).expect(202);

      const terminal = ['succeeded', 'failed'];
      // Until both finished, however long that takes here: the test's timeout is the limit.
      for (;;) {
        const [a, b] = [await observe(big.body.id), await observe(newer.body.id)];
        if (terminal.includes(a) && terminal.includes(b)) break;
        await new Promise(r => setTimeout(r, 20));
      }
      // Watched a while longer: a terminal status never changes.
      for (let i = 0; i < 10; i++) {
        await observe(big.body.id);
        await observe(newer.body.id);
        await new Promise(r => setTimeout(r, 50));
      }
      expect(statuses.get(big.body.id)!.slice(-2)).toEqual(['running', 'succeeded']);
      expect(statuses.get(newer.body.id)!.slice(-1)).toEqual(['succeeded']);
      expect(statuses.get(newer.body.id)).not.toContain('failed');

      // One after the other: the newer one started once the big one had finished.
      const rows = await knex('deployments').whereIn('id', [big.body.id, newer.body.id]).select('id', 'started_at', 'finished_at');
      const time = (deploymentId: string, column: 'started_at' | 'finished_at') =>
        new Date(rows.find(r => r.id === deploymentId)![column]).getTime();
      expect(time(newer.body.id, 'started_at')).toBeGreaterThanOrEqual(time(big.body.id, 'finished_at'));

      // The environment is the newer request's: its one workload's resources are active, the rest orphaned.
      const resources = (await api.get(`${base}/resources`).expect(200)).body as { uid: string; type: string; status: string }[];
      const active = resources.filter(r => r.type !== 'k8s-namespace' && r.status === 'active').map(r => r.uid);
      expect(active.sort()).toEqual(['postgres.default#modules.svc-3.externals.db', 'workload.default#modules.svc-3']);
      const graph = await api.get(`${base}/graph`).expect(200);
      expect(graph.body.deploymentId).toBe(newer.body.id);

      // So is the GitOps folder: the newer workload only, at its image.
      const gitdir = path.join(dataDir, 'gitops');
      const files = (await git.listFiles({ fs, gitdir, ref: 'main' })).filter(f => f.startsWith('dev/shop/'));
      expect(files.sort()).toEqual(['dev/shop/secret-store.yaml', 'dev/shop/svc-3.yaml']);
      const head = await git.resolveRef({ fs, gitdir, ref: 'main' });
      const svc3 = Buffer.from((await git.readBlob({ fs, gitdir, oid: head, filepath: 'dev/shop/svc-3.yaml' })).blob).toString('utf8');
      expect(svc3).toContain('svc-3:newest');
    } finally {
      await stop();
    }
  });
});
