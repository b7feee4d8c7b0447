import git from 'isomorphic-git';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { GitOpsRepository } from '../gitops/GitOpsRepository';
import { createTestOrchestrator, type TestOrchestrator } from '../__testUtils__/createTestOrchestrator';
import { shopDefinitions, shopWeb as web } from '../__testUtils__/shopDeployment';

jest.setTimeout(60_000);

// An environment in `gitops` mode (the default) is delivered as commits to the
// GitOps repository: its layout is kept current, and hand edits there are drift.

describe('GitOps environments', () => {
  let orchestrator: TestOrchestrator;
  let gitdir: string;
  beforeEach(async () => {
    orchestrator = await createTestOrchestrator({ definitions: shopDefinitions, environments: { 'shop/dev': 'development' } });
    gitdir = path.join(orchestrator.dataDir, 'gitops');
  });
  afterEach(() => orchestrator.stop());

  const readAt = async (oid: string, filepath: string) => Buffer.from((await git.readBlob({ fs, gitdir, oid, filepath })).blob).toString();

  it('moves Argo CD Applications of earlier versions (argocd/<env>-<app>.yaml) to argocd/<env>/<app>.yaml in one commit', async () => {
    const legacy = (app: string, env: string) =>
      `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${app}-${env}\n  labels: { baton.dev/app: ${app}, baton.dev/env: ${env} }\n`;
    // As an earlier version left the repository: one flat folder of Applications.
    const earlier = await GitOpsRepository.open({ dir: gitdir });
    await earlier.commitFiles({ 'argocd/qa-eu-shop.yaml': legacy('shop', 'qa-eu'), 'argocd/dev-cart.yaml': legacy('cart', 'dev'), 'dev/cart/web.yaml': 'kind: Deployment\n' }, 'earlier');

    const id = await orchestrator.deploy('shop', 'dev', [web]);
    expect((await orchestrator.waitForDeployment('shop', 'dev', id)).status).toBe('succeeded');

    expect(await git.listFiles({ fs, gitdir, ref: 'HEAD' })).toEqual([
      'argocd/dev/cart.yaml',
      'argocd/dev/shop.yaml',
      'argocd/qa-eu/shop.yaml',
      'dev/cart/web.yaml',
      'dev/shop/secret-store.yaml',
      'dev/shop/web.yaml',
    ]);
    const [deployment, moved] = await git.log({ fs, gitdir, depth: 2 });
    expect(deployment.commit.message).toContain(id);
    expect(moved.commit.message).toContain('Move Argo CD Applications');
    expect(await readAt(moved.oid, 'argocd/qa-eu/shop.yaml')).toBe(legacy('shop', 'qa-eu'));
  });

  it('finds drift in the GitOps repository and commits the delivered state back', async () => {
    const { api, deploy, waitForDeployment, dataDir } = orchestrator;
    const first = await deploy('shop', 'dev', [web]);
    await waitForDeployment('shop', 'dev', first);
    // A hand edit: someone commits to the branch from a clone of the bare repository.
    const readWebYaml = async () => readAt(await git.resolveRef({ fs, gitdir, ref: 'main' }), 'dev/shop/web.yaml');
    const delivered = await readWebYaml();
    const clone = path.join(dataDir, 'clone');
    execFileSync('git', ['clone', '-q', gitdir, clone]);
    fs.writeFileSync(path.join(clone, 'dev/shop/web.yaml'), delivered.replace('replicas: 1', 'replicas: 5'));
    execFileSync('git', ['-C', clone, '-c', 'user.name=someone', '-c', 'user.email=someone@example.com', 'commit', '-qam', 'manual change']);
    execFileSync('git', ['-C', clone, 'push', '-q', 'origin', 'HEAD:main']);

    const checked = await api.post('/api/orchestrator/apps/shop/envs/dev/drift').expect(200);
    expect(checked.body.items).toEqual([
      { uid: 'git:dev/shop/web.yaml', kind: 'changed', detail: `dev/shop/web.yaml differs from deployment ${first}` },
    ]);
    expect(await readWebYaml()).toBe(delivered);
    const [revert, manual] = await git.log({ fs, gitdir, depth: 2 });
    expect(revert.commit.message).toContain('Revert drift in shop/dev');
    expect(manual.commit.message).toContain('manual change');

    const report = await api.get('/api/orchestrator/apps/shop/envs/dev/drift').expect(200);
    expect(report.body.items).toHaveLength(1);
    const again = await api.post('/api/orchestrator/apps/shop/envs/dev/drift').expect(200);
    expect(again.body.items).toEqual([]);
  });
});
