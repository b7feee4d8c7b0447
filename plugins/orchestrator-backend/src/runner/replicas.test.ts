import { mockServices, startTestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { execFileSync } from 'node:child_process';
import { Knex } from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { orchestratorPlugin } from '../plugin';
import { createTestOrchestrator } from '../__testUtils__/createTestOrchestrator';
import { startGitHttpServer } from '../__testUtils__/gitHttpServer';

jest.setTimeout(400_000);

// Two backend instances sharing one PostgreSQL database (as two replicas
// would): concurrent deploy requests to one environment run one at a time,
// in request order, none is lost, and both deliver to one GitOps remote; two
// with repositories of their own refuse to deliver.
const databases = TestDatabases.create({
  ids: process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ? ['POSTGRES_15'] : [],
});
const ids = databases.eachSupportedId();

const definitions = `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: pg }
spec:
  type: postgres
  driver: echo
  driverInputs: { values: { host: pg.internal } }
  criteria: [{}]
`;
const workload = (n: number) => `apiVersion: score.dev/v1b1
metadata: { name: web }
containers:
  main:
    image: web:${n}
    variables: { DB: "\${resources.db.host}", REQUEST: "${n}" }
resources:
  db: { type: postgres }
`;

(ids.length ? describe.each(ids) : describe.skip.each([['POSTGRES_15']]))('two replicas on %s', id => {
  async function startReplicas(knex: Knex, gitops: (replica: number) => object | undefined) {
    // Replicas share the key their secrets are encrypted with, as they must.
    const key = randomBytes(32).toString('base64');
    const replica = (n: number) => createTestOrchestrator({ knex, definitions, orchestrator: { secrets: { key }, gitops: gitops(n) } });
    const first = await replica(0);
    const second = await replica(1);
    const [a, b] = [first.api, second.api];
    await a.put('/api/orchestrator/env-types/development').send({}).expect(200);
    await a.put('/api/orchestrator/apps/shop').send({}).expect(200);
    await a.put('/api/orchestrator/apps/shop/envs/dev').send({ type: 'development' }).expect(200);
    const stop = async () => {
      await Promise.all([first.stop(), second.stop()]);
    };
    return { a, b, waitOnB: second.waitForDeployment, stop };
  }

  it('deliver nothing while each has a repository of its own, and say why', async () => {
    const knex = await databases.init(id as any);
    const { a, b, waitOnB, stop } = await startReplicas(knex, () => undefined);
    const res = await a.post('/api/orchestrator/apps/shop/envs/dev/deployments').send({ workloads: [workload(1)] }).expect(202);
    // As the other replica sees it.
    const deployment = await waitOnB('shop', 'dev', res.body.id);
    expect(deployment.status).toBe('failed');
    expect(deployment.error).toMatch(
      /^Backend \S+, on the same database, delivers to local repository of backend \S+, and this backend \(\S+\) to local repository of backend \S+: nothing is delivered until every backend delivers to the same GitOps remote \(orchestrator\.gitops\.url/,
    );
    // Drift is not compared against a repository the other replica does not see either.
    const drift = await b.post('/api/orchestrator/apps/shop/envs/dev/drift');
    expect(drift.status).toBe(409);
    expect(drift.body.error.message).toMatch(/nothing is delivered until every backend delivers to the same GitOps remote/);
    await stop();
  });

  it('serialize 30 concurrent deployments of one environment through a shared remote, losing none', async () => {
    const knex = await databases.init(id as any);
    const remoteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-replica-remote-'));
    const remote = await startGitHttpServer(path.join(remoteDir, 'gitops.git'), { username: 'baton', password: 'remote-token' });
    const { a, b, stop } = await startReplicas(knex, () => ({ url: remote.url, username: 'baton', token: 'remote-token' }));

    const created: string[] = [];
    await Promise.all(
      Array.from({ length: 30 }, async (_, n) => {
        const api = n % 2 ? a : b;
        const res = await api.post('/api/orchestrator/apps/shop/envs/dev/deployments').send({ workloads: [workload(n)] });
        expect(res.status).toBe(202);
        created.push(res.body.id);
      }),
    );

    let rows: any[] = [];
    // Until every one finished, however long that takes here: the test's timeout is the limit.
    for (;;) {
      rows = await knex('deployments as d')
        .join('deployment_queue as q', 'q.deployment_id', 'd.id')
        .select('d.id', 'd.status', 'd.error', 'd.started_at', 'd.finished_at', 'd.set_id', 'q.seq')
        .orderBy('q.seq');
      if (rows.every(r => r.status === 'succeeded' || r.status === 'failed')) break;
      await new Promise(r => setTimeout(r, 100));
    }
    expect(rows).toHaveLength(30);
    expect(new Set(rows.map(r => r.id))).toEqual(new Set(created));
    expect(rows.filter(r => r.status !== 'succeeded')).toEqual([]);

    // Runs never overlap, and they ran in request order.
    const times = rows.map(r => [new Date(r.started_at).getTime(), new Date(r.finished_at).getTime()]);
    for (let i = 1; i < times.length; i++) {
      expect(times[i][0]).toBeGreaterThanOrEqual(times[i - 1][1]);
    }

    // The final state is the last request's.
    const last = rows[rows.length - 1];
    const set = JSON.parse((await knex('deployment_sets').where({ id: last.set_id }).first()).content);
    const lastRequest = set.workloads[0].containers.main.variables.REQUEST;
    const graph = await a.get('/api/orchestrator/apps/shop/envs/dev/graph').expect(200);
    expect(graph.body.deploymentId).toBe(last.id);
    // The remote holds that request's workload, and neither replica sees drift.
    const show = execFileSync('git', ['--git-dir', path.join(remoteDir, 'gitops.git'), 'show', 'main:dev/shop/web.yaml'], { encoding: 'utf8' });
    expect(show).toContain(`value: '${lastRequest}'`);
    for (const api of [a, b]) {
      const drift = await api.post('/api/orchestrator/apps/shop/envs/dev/drift').expect(200);
      expect(drift.body.items).toEqual([]);
    }

    await stop();
    await remote.close();
    fs.rmSync(remoteDir, { recursive: true, force: true });
  });

  it('refuse to start a replica whose secret key is not the one the database was written with', async () => {
    const knex = await databases.init(id as any);
    const dirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'baton-replica-')));
    const start = (dir: string, config: object = {}) =>
      startTestBackend({
        features: [
          orchestratorPlugin,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({ data: { orchestrator: { dataDir: dir, ...config } } }),
        ],
      });
    const first = await start(dirs[0]);
    // The second replica's data folder generates a key of its own.
    await expect(start(dirs[1])).rejects.toThrow(
      new RegExp(`encrypted with key \\S+, but this backend's key \\(${dirs[1]}/secret.key\\) is \\S+\\. .*set orchestrator.secrets.key`),
    );
    // Given the first one's key, it starts.
    const key = fs.readFileSync(path.join(dirs[0], 'secret.key'), 'utf8');
    const second = await start(dirs[1], { secrets: { key } });
    await Promise.all([first.stop(), second.stop()]);
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });
});
