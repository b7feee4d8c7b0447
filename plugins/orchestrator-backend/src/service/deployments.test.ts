import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import git from 'isomorphic-git';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import {
  ORCHESTRATOR_EVENTS_TOPIC,
  ORCHESTRATOR_RESOURCE_EVENTS_TOPIC,
} from '@baton/backstage-plugin-orchestrator-common';
import { GitOpsRepository } from '../gitops/GitOpsRepository';
import { orchestratorPlugin } from '../plugin';
import { ClusterApplier, orchestratorClusterExtensionPoint } from '../extensions';
import { driverModule } from '../__testUtils__/driverModule';

jest.setTimeout(60_000);

const SECRET = 'deploy-test-secret-value';

const definitions = `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: pg-dev }
spec:
  type: postgres
  driver: echo
  driverInputs:
    values: { host: "pg.\${context.env.id}.internal", port: 5432, username: app }
    secrets: { password: ${SECRET} }
  criteria: [{ envType: development }]
---
apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: dns-dev }
spec:
  type: dns
  driver: template
  driverInputs:
    values:
      templates:
        outputs: "host: {{ context.app.id }}.dev.example.com"
  criteria: [{}]
`;

const web = `apiVersion: score.dev/v1b1
metadata: { name: web }
service: { ports: { http: { port: 8080 } } }
containers:
  main:
    image: web:1
    variables:
      DB_URL: postgres://\${resources.db.username}:\${resources.db.password}@\${resources.db.host}
      HOST: \${resources.dns.host}
resources:
  db: { type: postgres }
  dns: { type: dns }
`;

describe('deployments', () => {
  let dataDir: string;
  let server: any;
  let stop: () => Promise<void>;
  let published: { topic: string; payload: any }[];

  /** Records what the orchestrator publishes on the events service. */
  const eventRecorder = createBackendModule({
    pluginId: 'orchestrator',
    moduleId: 'event-recorder',
    register(reg) {
      reg.registerInit({
        deps: { events: eventsServiceRef },
        async init({ events }) {
          await events.subscribe({
            id: 'event-recorder',
            topics: [ORCHESTRATOR_EVENTS_TOPIC, ORCHESTRATOR_RESOURCE_EVENTS_TOPIC],
            onEvent: async ({ topic, eventPayload }) => {
              // Resource events take a while, as through a database-backed event bus.
              if (topic === ORCHESTRATOR_RESOURCE_EVENTS_TOPIC) await new Promise(r => setTimeout(r, 100));
              published.push({ topic, payload: eventPayload });
            },
          });
        },
      });
    },
  });

  beforeEach(async () => {
    published = [];
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-deploy-'));
    fs.writeFileSync(path.join(dataDir, 'definitions.yaml'), definitions);
    const backend = await startTestBackend({
      features: [
        orchestratorPlugin,
        eventRecorder,
        mockServices.rootConfig.factory({
          data: { orchestrator: { dataDir, definitions: [path.join(dataDir, 'definitions.yaml')] } },
        }),
      ],
    });
    server = backend.server;
    stop = () => backend.stop();
    const api = request(server);
    await api.put('/api/orchestrator/env-types/development').send({}).expect(200);
    await api.put('/api/orchestrator/apps/shop').send({}).expect(200);
    await api.put('/api/orchestrator/apps/shop/envs/dev').send({ type: 'development' }).expect(200);
  });

  afterEach(async () => {
    await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function waitFor(id: string) {
    for (let i = 0; i < 200; i++) {
      const res = await request(server).get(`/api/orchestrator/apps/shop/envs/dev/deployments/${id}`).expect(200);
      if (['succeeded', 'failed', 'cancelled'].includes(res.body.status)) return res.body;
      await new Promise(r => setTimeout(r, 50));
    }
    throw new Error('deployment did not finish');
  }

  it('deploys: provisions, records per-node status and log, commits to GitOps without secrets', async () => {
    const created = await request(server)
      .post('/api/orchestrator/apps/shop/envs/dev/deployments')
      .send({ workloads: [web], comment: 'first' })
      .expect(202);
    expect(created.body.status).toBe('queued');

    const deployment = await waitFor(created.body.id);
    expect(deployment).toMatchObject({ status: 'succeeded', comment: 'first', createdBy: 'user:default/mock' });
    expect(deployment.nodes).toEqual(
      expect.arrayContaining([
        { uid: 'postgres.default#modules.web.externals.db', status: 'succeeded' },
        { uid: 'workload.default#modules.web', status: 'succeeded' },
      ]),
    );
    expect(deployment.diff.added).toContain('postgres.default#modules.web.externals.db');
    // A status poll can leave the node list and the diff out and still see how far it is.
    const summary = await request(server).get(`/api/orchestrator/apps/shop/envs/dev/deployments/${created.body.id}?nodes=false`).expect(200);
    expect(summary.body.nodes).toBeUndefined();
    expect(summary.body.diff).toBeUndefined();
    expect(summary.body.status).toBe('succeeded');
    expect(summary.body.nodeCounts).toEqual({ succeeded: deployment.nodes.length });

    const log = await request(server).get(`/api/orchestrator/apps/shop/envs/dev/deployments/${created.body.id}/log`).expect(200);
    expect(log.body.lines.map((l: { message: string }) => l.message).join('\n')).toContain('Committed');

    const resources = await request(server).get('/api/orchestrator/apps/shop/envs/dev/resources').expect(200);
    const db = resources.body.find((r: { type: string }) => r.type === 'postgres');
    expect(db).toMatchObject({ status: 'active', outputs: { host: 'pg.dev.internal', port: 5432, username: 'app' }, secretOutputs: ['password'] });

    const graph = await request(server).get('/api/orchestrator/apps/shop/envs/dev/graph').expect(200);
    expect(graph.body.nodes.map((n: { uid: string }) => n.uid)).toContain('dns.default#modules.web.externals.dns');

    // The GitOps repository has the app folder, an Argo CD Application, and no secret value in any commit.
    const gitdir = path.join(dataDir, 'gitops');
    const files = await git.listFiles({ fs, gitdir, ref: 'HEAD' });
    expect(files).toEqual(['argocd/dev/shop.yaml', 'dev/shop/secret-store.yaml', 'dev/shop/web.yaml']);
    const commits = await git.log({ fs, gitdir });
    expect(commits[0].commit.message).toContain(created.body.id);
    for (const file of files) {
      const { blob } = await git.readBlob({ fs, gitdir, oid: commits[0].oid, filepath: file });
      const text = Buffer.from(blob).toString();
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(Buffer.from(`postgres://app:${SECRET}@pg.dev.internal`).toString('base64'));
    }
    const webYaml = Buffer.from((await git.readBlob({ fs, gitdir, oid: commits[0].oid, filepath: 'dev/shop/web.yaml' })).blob).toString();
    expect(webYaml).toContain('kind: ExternalSecret');
    expect(webYaml).not.toContain('kind: Secret\n');

    // No API response carries the secret either.
    for (const body of [deployment, log.body, resources.body, graph.body]) {
      expect(JSON.stringify(body)).not.toContain(SECRET);
    }

    // The External Secrets webhook reads it with service credentials only.
    await request(server)
      .get('/api/orchestrator/secrets/shop/dev/web-secrets')
      .set('Authorization', mockCredentials.none.header())
      .expect(401);
    await request(server)
      .get('/api/orchestrator/secrets/shop/dev/web-secrets')
      .set('Authorization', mockCredentials.user.header())
      .expect(403);
    const delivered = await request(server)
      .get('/api/orchestrator/secrets/shop/dev/web-secrets')
      .set('Authorization', mockCredentials.service.header());
    expect(delivered.status).toBe(200);
    expect(delivered.body.data['main.DB_URL']).toBe(`postgres://app:${SECRET}@pg.dev.internal`);
  });

  it('moves Argo CD Applications of earlier versions (argocd/<env>-<app>.yaml) to argocd/<env>/<app>.yaml in one commit', async () => {
    const gitdir = path.join(dataDir, 'gitops');
    const legacy = (app: string, env: string) =>
      `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${app}-${env}\n  labels: { baton.dev/app: ${app}, baton.dev/env: ${env} }\n`;
    // As an earlier version left the repository: one flat folder of Applications.
    const earlier = await GitOpsRepository.open({ dir: gitdir });
    await earlier.commitFiles({ 'argocd/qa-eu-shop.yaml': legacy('shop', 'qa-eu'), 'argocd/dev-cart.yaml': legacy('cart', 'dev'), 'dev/cart/web.yaml': 'kind: Deployment\n' }, 'earlier');

    const created = await request(server).post('/api/orchestrator/apps/shop/envs/dev/deployments').send({ workloads: [web] }).expect(202);
    expect((await waitFor(created.body.id)).status).toBe('succeeded');

    expect(await git.listFiles({ fs, gitdir, ref: 'HEAD' })).toEqual([
      'argocd/dev/cart.yaml',
      'argocd/dev/shop.yaml',
      'argocd/qa-eu/shop.yaml',
      'dev/cart/web.yaml',
      'dev/shop/secret-store.yaml',
      'dev/shop/web.yaml',
    ]);
    const [deployment, moved] = await git.log({ fs, gitdir, depth: 2 });
    expect(deployment.commit.message).toContain(created.body.id);
    expect(moved.commit.message).toContain('Move Argo CD Applications');
    const movedText = Buffer.from((await git.readBlob({ fs, gitdir, oid: moved.oid, filepath: 'argocd/qa-eu/shop.yaml' })).blob).toString();
    expect(movedText).toBe(legacy('shop', 'qa-eu'));
  });

  it('delivers direct environments through the cluster applier, keeping the manifests without secrets', async () => {
    const applied: Parameters<ClusterApplier['apply']>[0][] = [];
    const clusterModule = createBackendModule({
      pluginId: 'orchestrator',
      moduleId: 'test-cluster',
      register(reg) {
        reg.registerInit({
          deps: { cluster: orchestratorClusterExtensionPoint },
          async init({ cluster }) {
            cluster.setClusterApplier({ apply: async call => void applied.push(call) });
          },
        });
      },
    });
    const other = await startTestBackend({
      features: [
        orchestratorPlugin,
        clusterModule,
        mockServices.rootConfig.factory({
          data: { orchestrator: { dataDir: path.join(dataDir, 'other'), definitions: [path.join(dataDir, 'definitions.yaml')] } },
        }),
      ],
    });
    try {
      const api = request(other.server);
      await api.put('/api/orchestrator/env-types/development').send({}).expect(200);
      await api.put('/api/orchestrator/apps/shop').send({}).expect(200);
      const env = await api.put('/api/orchestrator/apps/shop/envs/preview').send({ type: 'development', deployMode: 'direct' }).expect(200);
      expect(env.body.deployMode).toBe('direct');
      // A clone keeps the mode; an update without it too.
      const clone = await api.put('/api/orchestrator/apps/shop/envs/preview-2').send({ type: 'development', cloneFrom: 'preview' }).expect(200);
      expect(clone.body.deployMode).toBe('direct');
      await api.put('/api/orchestrator/apps/shop/envs/preview').send({ type: 'development' }).expect(200);

      const created = await api.post('/api/orchestrator/apps/shop/envs/preview/deployments').send({ workloads: [web] }).expect(202);
      let deployment: any;
      for (let i = 0; i < 200 && !['succeeded', 'failed'].includes(deployment?.status); i++) {
        await new Promise(r => setTimeout(r, 50));
        deployment = (await api.get(`/api/orchestrator/apps/shop/envs/preview/deployments/${created.body.id}`)).body;
      }
      expect(deployment.status).toBe('succeeded');
      expect(deployment.commit).toBeUndefined();

      // The applier got the real objects, the Secret with the password included.
      expect(applied).toHaveLength(1);
      expect(applied[0]).toMatchObject({ app: 'shop', env: 'preview', envType: 'development', deploymentId: created.body.id });
      const kinds = applied[0].objects.map(o => o.kind);
      expect(kinds).toEqual(expect.arrayContaining(['Deployment', 'Service', 'Secret']));
      const secret = applied[0].objects.find(o => o.kind === 'Secret') as unknown as { data: Record<string, string> };
      expect(Object.values(secret.data).map(v => Buffer.from(v, 'base64').toString())).toContain(`postgres://app:${SECRET}@pg.preview.internal`);

      // Nothing went to Git; the kept manifests and the log have no secret.
      const gitDir = path.join(dataDir, 'other', 'gitops');
      const files = await git.listFiles({ fs, gitdir: gitDir, ref: 'HEAD' }).catch(() => []);
      expect(files.filter(f => f.startsWith('preview/'))).toEqual([]);
      const manifests = await api.get(`/api/orchestrator/apps/shop/envs/preview/deployments/${created.body.id}/manifests`).expect(200);
      expect(Object.keys(manifests.body.files)).toEqual(['web.yaml']);
      expect(manifests.body.files['web.yaml']).toContain('kind: Deployment');
      const log = await api.get(`/api/orchestrator/apps/shop/envs/preview/deployments/${created.body.id}/log`).expect(200);
      expect(log.body.lines.map((l: { message: string }) => l.message).join('\n')).toMatch(/Applied \d+ object\(s\) to namespace/);
      expect(JSON.stringify([manifests.body, log.body, deployment])).not.toContain(SECRET);
    } finally {
      await other.stop();
    }
  });

  it('keeps a direct deployment\'s manifests when no cluster applier is installed', async () => {
    await request(server).put('/api/orchestrator/apps/shop/envs/dev').send({ type: 'development', deployMode: 'direct' }).expect(200);
    const created = await request(server).post('/api/orchestrator/apps/shop/envs/dev/deployments').send({ workloads: [web] }).expect(202);
    const deployment = await waitFor(created.body.id);
    expect(deployment.status).toBe('succeeded');
    expect(deployment.commit).toBeUndefined();
    const log = await request(server).get(`/api/orchestrator/apps/shop/envs/dev/deployments/${created.body.id}/log`).expect(200);
    expect(log.body.lines.map((l: { message: string }) => l.message).join('\n')).toContain('no cluster applier is installed');
    const manifests = await request(server).get(`/api/orchestrator/apps/shop/envs/dev/deployments/${created.body.id}/manifests`).expect(200);
    expect(manifests.body.files['web.yaml']).toContain('kind: ExternalSecret');
    // Drift checks leave the GitOps repository alone for a direct environment.
    const drift = await request(server).post('/api/orchestrator/apps/shop/envs/dev/drift').expect(200);
    expect(drift.body.items.filter((i: { uid: string }) => i.uid.startsWith('git:'))).toEqual([]);
  });

  it('refuses invalid Score documents with file, line and field', async () => {
    const res = await request(server)
      .post('/api/orchestrator/apps/shop/envs/dev/deployments')
      .send({ workloads: [web.replace('image: web:1', 'imagee: web:1')] });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'workloads[0]', line: 6, path: 'containers.main.imagee', message: "unknown field 'imagee'" }),
      ]),
    );
  });

  it('plans a dry run with an action per node and changes nothing', async () => {
    const res = await request(server)
      .post('/api/orchestrator/apps/shop/envs/dev/deployments')
      .send({ workloads: [web], dryRun: true })
      .expect(200);
    expect(res.body.plan.nodes.find((n: { type: string }) => n.type === 'postgres')).toMatchObject({
      action: 'create',
      secretOutputs: ['password'],
    });
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    const list = await request(server).get('/api/orchestrator/apps/shop/envs/dev/deployments').expect(200);
    expect(list.body.items).toEqual([]);
  });

  it('orphans resources that leave the Score file, and deprovisions them on request', async () => {
    const first = await request(server).post('/api/orchestrator/apps/shop/envs/dev/deployments').send({ workloads: [web] });
    await waitFor(first.body.id);
    const withoutDns = web.replace('      HOST: ${resources.dns.host}\n', '').replace('  dns: { type: dns }\n', '');
    const second = await request(server).post('/api/orchestrator/apps/shop/envs/dev/deployments').send({ workloads: [withoutDns] });
    expect((await waitFor(second.body.id)).status).toBe('succeeded');

    const resources = await request(server).get('/api/orchestrator/apps/shop/envs/dev/resources').expect(200);
    const dns = resources.body.find((r: { type: string }) => r.type === 'dns');
    expect(dns.status).toBe('orphaned');

    const db = resources.body.find((r: { type: string }) => r.type === 'postgres');
    await request(server).delete(`/api/orchestrator/apps/shop/envs/dev/resources/${encodeURIComponent(db.uid)}`).expect(409);
    await request(server).delete(`/api/orchestrator/apps/shop/envs/dev/resources/${encodeURIComponent(dns.uid)}`).expect(204);
    const after = await request(server).get('/api/orchestrator/apps/shop/envs/dev/resources').expect(200);
    expect(after.body.map((r: { type: string }) => r.type)).not.toContain('dns');

    // Each step was published: deployments on one topic, resources on the other, no outputs.
    const resourceEvents = published.filter(e => e.topic === ORCHESTRATOR_RESOURCE_EVENTS_TOPIC).map(e => e.payload);
    const dnsEvents = resourceEvents.filter(e => e.resources.some((r: { uid: string }) => r.uid === dns.uid)).map(e => e.type);
    expect(dnsEvents).toEqual(['resource.provisioned', 'resource.orphaned', 'resource.deprovisioned']);
    // One event per deployment and kind of change, naming every resource it concerns.
    const provisioned = resourceEvents.find(e => e.type === 'resource.provisioned' && e.deploymentId === first.body.id);
    expect(provisioned).toMatchObject({ type: 'resource.provisioned', app: 'shop', env: 'dev', deploymentId: first.body.id });
    expect(provisioned.resources).toContainEqual({ uid: db.uid, resId: db.resId, resourceType: 'postgres' });
    expect(resourceEvents.filter(e => e.type === 'resource.provisioned' && e.deploymentId === first.body.id)).toHaveLength(1);
    expect(
      published.filter(e => e.topic === ORCHESTRATOR_EVENTS_TOPIC && e.payload.type === 'deployment.finished').map(e => e.payload.status),
    ).toEqual(['succeeded', 'succeeded']);
    // A deployment's resource events come before it says it finished.
    for (const id of [first.body.id, second.body.id]) {
      const finished = published.findIndex(e => e.payload.type === 'deployment.finished' && e.payload.deploymentId === id);
      const lastResourceEvent = published.map(e => e.topic === ORCHESTRATOR_RESOURCE_EVENTS_TOPIC && e.payload.deploymentId === id).lastIndexOf(true);
      expect(lastResourceEvent).toBeGreaterThanOrEqual(0);
      expect(lastResourceEvent).toBeLessThan(finished);
    }
    expect(JSON.stringify(published)).not.toContain(SECRET);
  });

  it('keeps earlier state when a deployment fails, and rolls back to an earlier set', async () => {
    const first = await request(server).post('/api/orchestrator/apps/shop/envs/dev/deployments').send({ workloads: [web] });
    await waitFor(first.body.id);
    const broken = web.replace('  dns: { type: dns }\n', '  dns: { type: dns }\n  queue: { type: kafka }\n');
    const second = await request(server).post('/api/orchestrator/apps/shop/envs/dev/deployments').send({ workloads: [broken] });
    const failed = await waitFor(second.body.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('no resource definition matches kafka.default#modules.web.externals.queue');

    const resources = await request(server).get('/api/orchestrator/apps/shop/envs/dev/resources').expect(200);
    expect(resources.body.filter((r: { status: string }) => r.status === 'active').length).toBe(4);

    const rollback = await request(server)
      .post(`/api/orchestrator/apps/shop/envs/dev/deployments/${first.body.id}/rollback`)
      .expect(202);
    const rolledBack = await waitFor(rollback.body.id);
    expect(rolledBack.status).toBe('succeeded');
    expect(rolledBack.comment).toBe(`Rollback to deployment ${first.body.id}`);
  });

  it('records what a deployment provisioned even when its rendering then fails', async () => {
    const broken = web.replace('HOST: ${resources.dns.host}', 'HOST: ${resources.dns.nosuchoutput}');
    const res = await request(server).post('/api/orchestrator/apps/shop/envs/dev/deployments').send({ workloads: [broken] }).expect(202);
    const failed = await waitFor(res.body.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('nosuchoutput');
    const resources = await request(server).get('/api/orchestrator/apps/shop/envs/dev/resources').expect(200);
    const provisioned = resources.body.filter((r: { status: string; deploymentId?: string }) => r.status === 'active');
    expect(provisioned.map((r: { uid: string }) => r.uid).sort()).toEqual(
      expect.arrayContaining(['dns.default#modules.web.externals.dns', 'postgres.default#modules.web.externals.db']),
    );
  });

  it('shows the plan of a rollback and of a promotion without queueing anything', async () => {
    const first = await request(server).post('/api/orchestrator/apps/shop/envs/dev/deployments').send({ workloads: [web] });
    await waitFor(first.body.id);
    const withoutDns = web.replace('  dns: { type: dns }\n', '').replace(/ +HOST: .*\n/, '');
    const second = await request(server).post('/api/orchestrator/apps/shop/envs/dev/deployments').send({ workloads: [withoutDns] });
    await waitFor(second.body.id);

    const rollback = await request(server)
      .post(`/api/orchestrator/apps/shop/envs/dev/deployments/${first.body.id}/rollback?dryRun=true`)
      .expect(200);
    // The earlier set brings the orphaned dns back; the current one has none.
    expect(rollback.body.plan.nodes.map((n: { type: string }) => n.type)).toContain('dns');
    expect(rollback.body.plan.env).toBe('dev');

    await request(server).put('/api/orchestrator/apps/shop/envs/qa').send({ type: 'development' }).expect(200);
    const promotion = await request(server).post('/api/orchestrator/apps/shop/envs/qa/promote?dryRun=true').send({ from: 'dev' }).expect(200);
    expect(promotion.body.plan.env).toBe('qa');
    expect(promotion.body.plan.nodes.every((n: { action: string }) => n.action === 'create')).toBe(true);
    expect(promotion.body.plan.nodes.map((n: { type: string }) => n.type)).not.toContain('dns');

    const devHistory = await request(server).get('/api/orchestrator/apps/shop/envs/dev/deployments').expect(200);
    expect(devHistory.body.items).toHaveLength(2);
    // The history says when each deployment ran, so the portal shows how long it took.
    expect(Date.parse(devHistory.body.items[0].finishedAt)).toBeGreaterThanOrEqual(Date.parse(devHistory.body.items[0].startedAt));
    const qaHistory = await request(server).get('/api/orchestrator/apps/shop/envs/qa/deployments').expect(200);
    expect(qaHistory.body.items).toEqual([]);
    expect(JSON.stringify([rollback.body, promotion.body])).not.toContain(SECRET);
  });

  it('finds drift in the GitOps repository and commits the delivered state back', async () => {
    const first = await request(server).post('/api/orchestrator/apps/shop/envs/dev/deployments').send({ workloads: [web] });
    await waitFor(first.body.id);
    // A hand edit: someone commits to the branch from a clone of the bare repository.
    const gitdir = path.join(dataDir, 'gitops');
    const readWebYaml = async () =>
      Buffer.from((await git.readBlob({ fs, gitdir, oid: await git.resolveRef({ fs, gitdir, ref: 'main' }), filepath: 'dev/shop/web.yaml' })).blob).toString();
    const delivered = await readWebYaml();
    const clone = path.join(dataDir, 'clone');
    execFileSync('git', ['clone', '-q', gitdir, clone]);
    fs.writeFileSync(path.join(clone, 'dev/shop/web.yaml'), delivered.replace('replicas: 1', 'replicas: 5'));
    execFileSync('git', ['-C', clone, '-c', 'user.name=someone', '-c', 'user.email=someone@example.com', 'commit', '-qam', 'manual change']);
    execFileSync('git', ['-C', clone, 'push', '-q', 'origin', 'HEAD:main']);

    const checked = await request(server).post('/api/orchestrator/apps/shop/envs/dev/drift').expect(200);
    expect(checked.body.items).toEqual([
      { uid: 'git:dev/shop/web.yaml', kind: 'changed', detail: `dev/shop/web.yaml differs from deployment ${first.body.id}` },
    ]);
    expect(await readWebYaml()).toBe(delivered);
    const [revert, manual] = await git.log({ fs, gitdir, depth: 2 });
    expect(revert.commit.message).toContain('Revert drift in shop/dev');
    expect(manual.commit.message).toContain('manual change');

    const report = await request(server).get('/api/orchestrator/apps/shop/envs/dev/drift').expect(200);
    expect(report.body.items).toHaveLength(1);
    const again = await request(server).post('/api/orchestrator/apps/shop/envs/dev/drift').expect(200);
    expect(again.body.items).toEqual([]);
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
    fs.appendFileSync(
      path.join(dataDir, 'definitions.yaml'),
      '---\napiVersion: baton.dev/v1\nkind: ResourceDefinition\nmetadata: { id: queue }\nspec: { type: amqp, driver: test-queue, criteria: [{}] }\n',
    );
    const other = await startTestBackend({
      features: [
        orchestratorPlugin,
        queueModule,
        mockServices.rootConfig.factory({
          data: { orchestrator: { dataDir: path.join(dataDir, 'other'), definitions: [path.join(dataDir, 'definitions.yaml')] } },
        }),
      ],
    });
    const api = request(other.server);
    await api.put('/api/orchestrator/env-types/development').send({}).expect(200);
    await api.put('/api/orchestrator/apps/shop').send({}).expect(200);
    await api.put('/api/orchestrator/apps/shop/envs/dev').send({ type: 'development' }).expect(200);
    const created = await api
      .post('/api/orchestrator/apps/shop/envs/dev/deployments')
      .send({ workloads: [web.replace('  dns: { type: dns }\n', '  dns: { type: dns }\n  queue: { type: amqp }\n')] });
    let status = '';
    for (let i = 0; i < 200 && !['succeeded', 'failed'].includes(status); i++) {
      await new Promise(r => setTimeout(r, 50));
      status = (await api.get(`/api/orchestrator/apps/shop/envs/dev/deployments/${created.body.id}`)).body.status;
    }
    expect(status).toBe('succeeded');
    expect(provisioned).toEqual(['amqp.default#modules.web.externals.queue']);
    await other.stop();
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
    fs.appendFileSync(
      path.join(dataDir, 'definitions.yaml'),
      '---\napiVersion: baton.dev/v1\nkind: ResourceDefinition\nmetadata: { id: queue }\nspec: { type: amqp, driver: counting-queue, criteria: [{}] }\n',
    );
    const other = await startTestBackend({
      features: [
        orchestratorPlugin,
        queueModule,
        mockServices.rootConfig.factory({
          data: { orchestrator: { dataDir: path.join(dataDir, 'other'), definitions: [path.join(dataDir, 'definitions.yaml')] } },
        }),
      ],
    });
    try {
      const api = request(other.server);
      await api.put('/api/orchestrator/env-types/development').send({}).expect(200);
      await api.put('/api/orchestrator/apps/shop').send({}).expect(200);
      await api.put('/api/orchestrator/apps/shop/envs/dev').send({ type: 'development' }).expect(200);
      const workload = (name: string, size: number) =>
        `apiVersion: score.dev/v1b1\nmetadata: { name: ${name} }\ncontainers:\n  main:\n    image: ${name}:1\n    variables: { QUEUE: "\${resources.queue.url}" }\nresources:\n  queue: { type: amqp, params: { size: ${size} } }\n`;
      const deploy = async (workloads: string[]) => {
        const created = await api.post('/api/orchestrator/apps/shop/envs/dev/deployments').send({ workloads }).expect(202);
        for (let i = 0; i < 200; i++) {
          const d = (await api.get(`/api/orchestrator/apps/shop/envs/dev/deployments/${created.body.id}`)).body;
          if (d.status === 'succeeded') return d;
          if (d.status === 'failed') throw new Error(d.error);
          await new Promise(r => setTimeout(r, 50));
        }
        throw new Error('deployment did not finish');
      };
      const resources = async () =>
        new Map(
          ((await api.get('/api/orchestrator/apps/shop/envs/dev/resources').expect(200)).body as { uid: string; outputs: any; updatedAt?: string }[]).map(r => [r.uid, r]),
        );

      await deploy([workload('web', 1), workload('api', 1)]);
      expect(provisioned.sort()).toEqual(['amqp.default#modules.api.externals.queue', 'amqp.default#modules.web.externals.queue']);
      const before = await resources();

      provisioned.length = 0;
      const second = await deploy([workload('web', 1), workload('api', 2)]);
      // Only the changed workload's queue is provisioned again.
      expect(provisioned).toEqual(['amqp.default#modules.api.externals.queue']);
      const after = await resources();
      const webQueue = 'amqp.default#modules.web.externals.queue';
      expect(after.get(webQueue)).toEqual(before.get(webQueue));
      expect(after.get(webQueue)!.updatedAt).toBeDefined();
      expect(after.get('amqp.default#modules.api.externals.queue')!.outputs.size).toBe(2);
      // The log names what was provisioned and counts what was not.
      const log = (await api.get(`/api/orchestrator/apps/shop/envs/dev/deployments/${second.id}/log`).expect(200)).body.lines.map((l: { message: string }) => l.message);
      expect(log).toContain('amqp.default#modules.api.externals.queue: succeeded');
      expect(log.some((m: string) => m.startsWith(`${webQueue}:`))).toBe(false);
      expect(log.some((m: string) => /^\d+ node\(s\) unchanged/.test(m))).toBe(true);

      // Unchanged, the workloads' manifests still say what they did.
      const gitdir = path.join(dataDir, 'other', 'gitops');
      const webYaml = Buffer.from((await git.readBlob({ fs, gitdir, oid: await git.resolveRef({ fs, gitdir, ref: 'HEAD' }), filepath: 'dev/shop/web.yaml' })).blob).toString();
      expect(webYaml).toContain(String(before.get(webQueue)!.outputs.url));
    } finally {
      await other.stop();
    }
  });
});
