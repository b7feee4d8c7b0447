import { mockCredentials } from '@backstage/backend-test-utils';
import git from 'isomorphic-git';
import fs from 'node:fs';
import path from 'node:path';
import { createTestOrchestrator, type TestOrchestratorOptions } from '../__testUtils__/createTestOrchestrator';
import { driverModule } from '../__testUtils__/driverModule';
import { SHOP_SECRET as SECRET, shopDefinitions, shopWeb as web } from '../__testUtils__/shopDeployment';

jest.setTimeout(60_000);

// A deployment through the API, from the request to the GitOps commit: what
// it provisions, records, commits and delivers, and what it keeps when it fails.

const base = '/api/orchestrator/apps/shop/envs/dev';

function start(options: TestOrchestratorOptions = {}) {
  return createTestOrchestrator({ environments: { 'shop/dev': 'development' }, ...options, definitions: shopDefinitions + (options.definitions ?? '') });
}

/** A definition giving `type` through the driver `driver`. */
const byDriver = (type: string, driver: string) =>
  `---\napiVersion: baton.dev/v1\nkind: ResourceDefinition\nmetadata: { id: queue }\nspec: { type: ${type}, driver: ${driver}, criteria: [{}] }\n`;

async function readFile(gitdir: string, oid: string, filepath: string) {
  return Buffer.from((await git.readBlob({ fs, gitdir, oid, filepath })).blob).toString();
}

describe('the deployment pipeline', () => {
  it('deploys: provisions, records per-node status and log, commits to GitOps without secrets', async () => {
    const { api, dataDir, waitForDeployment, stop } = await start();
    const created = await api.post(`${base}/deployments`).send({ workloads: [web], comment: 'first' }).expect(202);
    expect(created.body.status).toBe('queued');

    const deployment = await waitForDeployment('shop', 'dev', created.body.id);
    expect(deployment).toMatchObject({ status: 'succeeded', comment: 'first', createdBy: 'user:default/mock' });
    expect(deployment.nodes).toEqual(
      expect.arrayContaining([
        { uid: 'postgres.default#modules.web.externals.db', status: 'succeeded' },
        { uid: 'workload.default#modules.web', status: 'succeeded' },
      ]),
    );
    expect(deployment.diff.added).toContain('postgres.default#modules.web.externals.db');
    // A status poll can leave the node list and the diff out and still see how far it is.
    const summary = await api.get(`${base}/deployments/${created.body.id}?nodes=false`).expect(200);
    expect(summary.body.nodes).toBeUndefined();
    expect(summary.body.diff).toBeUndefined();
    expect(summary.body.status).toBe('succeeded');
    expect(summary.body.nodeCounts).toEqual({ succeeded: deployment.nodes.length });

    const log = await api.get(`${base}/deployments/${created.body.id}/log`).expect(200);
    expect(log.body.lines.map((l: { message: string }) => l.message).join('\n')).toContain('Committed');

    const resources = await api.get(`${base}/resources`).expect(200);
    const db = resources.body.find((r: { type: string }) => r.type === 'postgres');
    expect(db).toMatchObject({ status: 'active', outputs: { host: 'pg.dev.internal', port: 5432, username: 'app' }, secretOutputs: ['password'] });

    const graph = await api.get(`${base}/graph`).expect(200);
    expect(graph.body.nodes.map((n: { uid: string }) => n.uid)).toContain('dns.default#modules.web.externals.dns');

    // The GitOps repository has the app folder, an Argo CD Application, and no secret value in any commit.
    const gitdir = path.join(dataDir, 'gitops');
    const files = await git.listFiles({ fs, gitdir, ref: 'HEAD' });
    expect(files).toEqual(['argocd/dev/shop.yaml', 'dev/shop/secret-store.yaml', 'dev/shop/web.yaml']);
    const commits = await git.log({ fs, gitdir });
    expect(commits[0].commit.message).toContain(created.body.id);
    for (const file of files) {
      const text = await readFile(gitdir, commits[0].oid, file);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(Buffer.from(`postgres://app:${SECRET}@pg.dev.internal`).toString('base64'));
    }
    const webYaml = await readFile(gitdir, commits[0].oid, 'dev/shop/web.yaml');
    expect(webYaml).toContain('kind: ExternalSecret');
    expect(webYaml).not.toContain('kind: Secret\n');

    // No API response carries the secret either.
    for (const body of [deployment, log.body, resources.body, graph.body]) {
      expect(JSON.stringify(body)).not.toContain(SECRET);
    }

    // The External Secrets webhook reads it with service credentials only.
    const secrets = '/api/orchestrator/secrets/shop/dev/web-secrets';
    await api.get(secrets).set('Authorization', mockCredentials.none.header()).expect(401);
    await api.get(secrets).set('Authorization', mockCredentials.user.header()).expect(403);
    const delivered = await api.get(secrets).set('Authorization', mockCredentials.service.header());
    expect(delivered.status).toBe(200);
    expect(delivered.body.data['main.DB_URL']).toBe(`postgres://app:${SECRET}@pg.dev.internal`);
    await stop();
  });

  it('refuses invalid Score documents with file, line and field', async () => {
    const { api, stop } = await start();
    const res = await api.post(`${base}/deployments`).send({ workloads: [web.replace('image: web:1', 'imagee: web:1')] });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'workloads[0]', line: 6, path: 'containers.main.imagee', message: "unknown field 'imagee'" }),
      ]),
    );
    await stop();
  });

  it('keeps earlier state when a deployment fails, and rolls back to an earlier set', async () => {
    const { api, deploy, waitForDeployment, stop } = await start();
    const first = await deploy('shop', 'dev', [web]);
    await waitForDeployment('shop', 'dev', first);
    const broken = web.replace('  dns: { type: dns }\n', '  dns: { type: dns }\n  queue: { type: kafka }\n');
    const failed = await waitForDeployment('shop', 'dev', await deploy('shop', 'dev', [broken]));
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('no resource definition matches kafka.default#modules.web.externals.queue');

    const resources = await api.get(`${base}/resources`).expect(200);
    expect(resources.body.filter((r: { status: string }) => r.status === 'active').length).toBe(4);

    const rollback = await api.post(`${base}/deployments/${first}/rollback`).expect(202);
    const rolledBack = await waitForDeployment('shop', 'dev', rollback.body.id);
    expect(rolledBack.status).toBe('succeeded');
    expect(rolledBack.comment).toBe(`Rollback to deployment ${first}`);
    await stop();
  });

  it('records what a deployment provisioned even when its rendering then fails', async () => {
    const { api, deploy, waitForDeployment, stop } = await start();
    const broken = web.replace('HOST: ${resources.dns.host}', 'HOST: ${resources.dns.nosuchoutput}');
    const failed = await waitForDeployment('shop', 'dev', await deploy('shop', 'dev', [broken]));
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('nosuchoutput');
    const resources = await api.get(`${base}/resources`).expect(200);
    const provisioned = resources.body.filter((r: { status: string; deploymentId?: string }) => r.status === 'active');
    expect(provisioned.map((r: { uid: string }) => r.uid).sort()).toEqual(
      expect.arrayContaining(['dns.default#modules.web.externals.dns', 'postgres.default#modules.web.externals.db']),
    );
    await stop();
  });

  it('uses drivers that other modules add through the extension point', async () => {
    const provisioned: string[] = [];
    const queueModule = driverModule({
      id: 'test-queue',
      async provision(ctx) {
        provisioned.push(ctx.resource.uid);
        return { outputs: { url: `amqp://broker/${ctx.guresid}` }, secrets: {} };
      },
    });
    const { deploy, waitForDeployment, stop } = await start({ definitions: byDriver('amqp', 'test-queue'), features: [queueModule] });
    const id = await deploy('shop', 'dev', [web.replace('  dns: { type: dns }\n', '  dns: { type: dns }\n  queue: { type: amqp }\n')]);
    expect((await waitForDeployment('shop', 'dev', id)).status).toBe('succeeded');
    expect(provisioned).toEqual(['amqp.default#modules.web.externals.queue']);
    await stop();
  });

  it('redeploys calling drivers only for what changed: unchanged resources keep their outputs and records', async () => {
    const provisioned: string[] = [];
    const queueModule = driverModule({
      id: 'counting-queue',
      async provision(ctx) {
        provisioned.push(ctx.resource.uid);
        return { outputs: { url: `amqp://broker/${ctx.guresid}/${provisioned.length}`, size: ctx.resource.params?.size }, secrets: {} };
      },
    });
    const { api, dataDir, deploy, waitForDeployment, stop } = await start({
      definitions: byDriver('amqp', 'counting-queue'),
      features: [queueModule],
    });
    const workload = (name: string, size: number) =>
      `apiVersion: score.dev/v1b1\nmetadata: { name: ${name} }\ncontainers:\n  main:\n    image: ${name}:1\n    variables: { QUEUE: "\${resources.queue.url}" }\nresources:\n  queue: { type: amqp, params: { size: ${size} } }\n`;
    const deployed = async (workloads: string[]) => {
      const deployment = await waitForDeployment('shop', 'dev', await deploy('shop', 'dev', workloads));
      expect(deployment).toMatchObject({ status: 'succeeded' });
      return deployment;
    };
    type Resource = { uid: string; outputs: Record<string, unknown>; updatedAt?: string };
    const resources = async () => new Map(((await api.get(`${base}/resources`).expect(200)).body as Resource[]).map(r => [r.uid, r]));

    await deployed([workload('web', 1), workload('api', 1)]);
    expect(provisioned.sort()).toEqual(['amqp.default#modules.api.externals.queue', 'amqp.default#modules.web.externals.queue']);
    const before = await resources();

    provisioned.length = 0;
    const second = await deployed([workload('web', 1), workload('api', 2)]);
    // Only the changed workload's queue is provisioned again.
    expect(provisioned).toEqual(['amqp.default#modules.api.externals.queue']);
    const after = await resources();
    const webQueue = 'amqp.default#modules.web.externals.queue';
    expect(after.get(webQueue)).toEqual(before.get(webQueue));
    expect(after.get(webQueue)!.updatedAt).toBeDefined();
    expect(after.get('amqp.default#modules.api.externals.queue')!.outputs.size).toBe(2);
    // The log names what was provisioned and counts what was not.
    const log = (await api.get(`${base}/deployments/${second.id}/log`).expect(200)).body.lines.map((l: { message: string }) => l.message);
    expect(log).toContain('amqp.default#modules.api.externals.queue: succeeded');
    expect(log.some((m: string) => m.startsWith(`${webQueue}:`))).toBe(false);
    expect(log.some((m: string) => /^\d+ node\(s\) unchanged/.test(m))).toBe(true);

    // Unchanged, the workloads' manifests still say what they did.
    const gitdir = path.join(dataDir, 'gitops');
    const webYaml = await readFile(gitdir, await git.resolveRef({ fs, gitdir, ref: 'HEAD' }), 'dev/shop/web.yaml');
    expect(webYaml).toContain(String(before.get(webQueue)!.outputs.url));
    await stop();
  });
});
