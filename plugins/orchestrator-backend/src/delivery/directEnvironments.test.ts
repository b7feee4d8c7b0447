import { createBackendModule } from '@backstage/backend-plugin-api';
import git from 'isomorphic-git';
import fs from 'node:fs';
import path from 'node:path';
import { ClusterApplier, orchestratorClusterExtensionPoint } from '../extensions';
import { createTestOrchestrator } from '../__testUtils__/createTestOrchestrator';
import { SHOP_SECRET as SECRET, shopDefinitions, shopWeb as web } from '../__testUtils__/shopDeployment';

jest.setTimeout(60_000);

// An environment in `direct` mode is delivered to the cluster by the
// installed applier, not through Git; its manifests are kept with the deployment.

type ApplyRequest = Parameters<ClusterApplier['apply']>[0];
type ClusterObject = ApplyRequest['objects'][number];

function isSecret(object: ClusterObject): object is ClusterObject & { data: Record<string, string> } {
  const data = object.data;
  return object.kind === 'Secret' && typeof data === 'object' && data !== null && Object.values(data).every(v => typeof v === 'string');
}

type RemoveRequest = Parameters<NonNullable<ClusterApplier['remove']>>[0];

/** A backend module installing an applier that records what it is asked to apply and to remove. */
function recordingCluster(applied: ApplyRequest[], removed: RemoveRequest[] = []) {
  return createBackendModule({
    pluginId: 'orchestrator',
    moduleId: 'test-cluster',
    register(reg) {
      reg.registerInit({
        deps: { cluster: orchestratorClusterExtensionPoint },
        async init({ cluster }) {
          cluster.setClusterApplier({ apply: async call => void applied.push(call), remove: async call => void removed.push(call) });
        },
      });
    },
  });
}

describe('direct environments', () => {
  it('delivers direct environments through the cluster applier, keeping the manifests without secrets', async () => {
    const applied: ApplyRequest[] = [];
    const removed: RemoveRequest[] = [];
    const { api, dataDir, waitForDeployment, stop } = await createTestOrchestrator({
      definitions: shopDefinitions,
      envTypes: ['development'],
      apps: ['shop'],
      features: [recordingCluster(applied, removed)],
    });
    const base = '/api/orchestrator/apps/shop/envs/preview';
    const env = await api.put(base).send({ type: 'development', deployMode: 'direct' }).expect(200);
    expect(env.body.deployMode).toBe('direct');
    // A clone keeps the mode; an update without it too.
    const clone = await api.put('/api/orchestrator/apps/shop/envs/preview-2').send({ type: 'development', cloneFrom: 'preview' }).expect(200);
    expect(clone.body.deployMode).toBe('direct');
    await api.put(base).send({ type: 'development' }).expect(200);

    const created = await api.post(`${base}/deployments`).send({ workloads: [web] }).expect(202);
    const deployment = await waitForDeployment('shop', 'preview', created.body.id);
    expect(deployment.status).toBe('succeeded');
    expect(deployment.commit).toBeUndefined();

    // The applier got the real objects, the Secret with the password included.
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({ app: 'shop', env: 'preview', envType: 'development', deploymentId: created.body.id });
    const kinds = applied[0].objects.map(o => o.kind);
    expect(kinds).toEqual(expect.arrayContaining(['Deployment', 'Service', 'Secret']));
    const secret = applied[0].objects.find(isSecret);
    if (!secret) throw new Error(`no Secret of string values among the applied objects: ${kinds.join(', ')}`);
    expect(Object.values(secret.data).map(v => Buffer.from(v, 'base64').toString())).toContain(`postgres://app:${SECRET}@pg.preview.internal`);

    // Nothing went to Git; the kept manifests and the log have no secret.
    const gitdir = path.join(dataDir, 'gitops');
    const files = await git.listFiles({ fs, gitdir, ref: 'HEAD' }).catch(() => []);
    expect(files.filter(f => f.startsWith('preview/'))).toEqual([]);
    const manifests = await api.get(`${base}/deployments/${created.body.id}/manifests`).expect(200);
    expect(Object.keys(manifests.body.files)).toEqual(['web.yaml']);
    expect(manifests.body.files['web.yaml']).toContain('kind: Deployment');
    const log = await api.get(`${base}/deployments/${created.body.id}/log`).expect(200);
    expect(log.body.lines.map((l: { message: string }) => l.message).join('\n')).toMatch(/Applied \d+ object\(s\) to namespace/);
    expect(JSON.stringify([manifests.body, log.body, deployment])).not.toContain(SECRET);

    // Deleting the environment takes its objects out of the cluster, through the applier.
    expect(removed).toEqual([]);
    await api.delete(base).expect(204);
    expect(removed).toEqual([{ app: 'shop', env: 'preview', envType: 'development' }]);
    await api.get(base).expect(404);
    await stop();
  });

  it("keeps a direct deployment's manifests when no cluster applier is installed", async () => {
    const { api, deploy, waitForDeployment, stop } = await createTestOrchestrator({
      definitions: shopDefinitions,
      environments: { 'shop/dev': 'development' },
    });
    const base = '/api/orchestrator/apps/shop/envs/dev';
    await api.put(base).send({ type: 'development', deployMode: 'direct' }).expect(200);
    const id = await deploy('shop', 'dev', [web]);
    const deployment = await waitForDeployment('shop', 'dev', id);
    expect(deployment.status).toBe('succeeded');
    expect(deployment.commit).toBeUndefined();
    const log = await api.get(`${base}/deployments/${id}/log`).expect(200);
    expect(log.body.lines.map((l: { message: string }) => l.message).join('\n')).toContain('no cluster applier is installed');
    const manifests = await api.get(`${base}/deployments/${id}/manifests`).expect(200);
    expect(manifests.body.files['web.yaml']).toContain('kind: ExternalSecret');
    // Drift checks leave the GitOps repository alone for a direct environment.
    const drift = await api.post(`${base}/drift`).expect(200);
    expect(drift.body.items.filter((i: { uid: string }) => i.uid.startsWith('git:'))).toEqual([]);
    // Without an applier there is nothing to take out of a cluster: the environment still goes.
    await api.delete(base).expect(204);
    await api.get(base).expect(404);
    await stop();
  });
});
