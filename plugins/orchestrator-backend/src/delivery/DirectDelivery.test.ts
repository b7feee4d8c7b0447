import type { ClusterApplier } from '@baton/backstage-plugin-orchestrator-node/extensions';
import { DirectDelivery } from './DirectDelivery';
import { DELIVERY_SECRET, renderedTestApp } from '../__testUtils__/renderedTestApp';

const environment = { appId: 'shop', id: 'dev', type: 'development', deployMode: 'direct' as const, createdAt: '' };

describe('DirectDelivery', () => {
  it('hands every object, Secrets included, to the cluster applier, and keeps the manifests without secrets', async () => {
    const applied: Parameters<ClusterApplier['apply']>[0][] = [];
    const delivery = new DirectDelivery({ apply: async request => void applied.push(request) });
    const rendered = await renderedTestApp();
    const result = await (await delivery.prepare({ deploymentId: 'd-1', app: 'shop', env: 'dev', environment, rendered })).deliver();

    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({ app: 'shop', env: 'dev', envType: 'development', namespace: 'shop-dev', deploymentId: 'd-1' });
    expect(applied[0].objects.map(o => o.kind).sort()).toEqual(['Deployment', 'Secret', 'Service']);
    expect(result.message).toBe(`Applied 3 object(s) to namespace shop-dev`);
    expect(result.commit).toBeUndefined();
    expect(JSON.stringify(result.delivered)).not.toContain(DELIVERY_SECRET);
    expect(result.delivered['web.yaml']).toContain('kind: ExternalSecret');
  });

  it('gives the applier copies: the rendered objects, which later deployments share, stay as rendered', async () => {
    const delivery = new DirectDelivery({
      apply: async ({ objects }) => {
        for (const o of objects) o.metadata.name = 'changed-by-the-applier';
      },
    });
    const rendered = await renderedTestApp();
    const before = JSON.stringify(rendered);
    await (await delivery.prepare({ deploymentId: 'd-1', app: 'shop', env: 'dev', environment, rendered })).deliver();
    expect(JSON.stringify(rendered)).toBe(before);
  });

  it('removes an environment through the applier, and says when no applier can remove', async () => {
    const removed: Parameters<NonNullable<ClusterApplier['remove']>>[0][] = [];
    const delivery = new DirectDelivery({ apply: async () => {}, remove: async request => void removed.push(request) });
    expect(await delivery.remove('shop', 'dev', environment)).toBe('Removed shop/dev from the cluster');
    expect(removed).toEqual([{ app: 'shop', env: 'dev', envType: 'development' }]);
    expect(await new DirectDelivery({ apply: async () => {} }).remove('shop', 'dev', environment)).toBe(
      'No installed cluster applier removes objects: what was applied to shop/dev stays in the cluster',
    );
  });

  it('keeps the manifests with the deployment when no cluster applier is installed', async () => {
    const prepared = await new DirectDelivery(undefined).prepare({
      deploymentId: 'd-1',
      app: 'shop',
      env: 'dev',
      environment,
      rendered: await renderedTestApp(),
    });
    const result = await prepared.deliver();
    expect(result.message).toMatch(/no cluster applier is installed/);
    expect(Object.keys(result.delivered)).toEqual(['web.yaml']);
  });
});
