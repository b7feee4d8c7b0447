import { ownerRef } from './AppOwners';
import { ownerNotificationOf } from './ownerNotificationOf';

describe('ownerNotificationOf', () => {
  it('tells of a preview created and an environment expiring, linked to the Baton tab, scoped per environment', () => {
    const created = ownerNotificationOf({ type: 'environment.preview-created', app: 'shop', env: 'pr-42', source: '#42', expiresAt: '2026-12-06T08:00:00Z' });
    expect(created).toEqual({
      payload: {
        title: 'Preview environment pr-42 of shop created',
        description: 'Baton created pr-42 for #42; it expires at 2026-12-06T08:00:00Z.',
        severity: 'low',
        scope: 'preview:shop/pr-42',
        topic: 'baton:shop',
      },
      linkUnderTab: '',
      toApprovers: false,
    });
    const expiring = ownerNotificationOf({ type: 'environment.expiring', app: 'shop', env: 'pr-42', expiresAt: '2026-12-06T08:00:00Z' });
    expect(expiring?.payload).toMatchObject({ title: 'Environment pr-42 of shop expires soon', severity: 'normal', scope: 'expiry:shop/pr-42', topic: 'baton:shop' });
    expect(expiring?.payload.description).toContain('at 2026-12-06T08:00:00Z; extend its time to live to keep it');
  });

  it('says nothing of deployments that went well, of resources or of an expired environment', () => {
    for (const status of ['queued', 'running', 'succeeded', 'cancelled'] as const) {
      expect(ownerNotificationOf({ type: 'deployment.finished', app: 'shop', env: 'dev', deploymentId: 'd-1', status })).toBeUndefined();
    }
    expect(ownerNotificationOf({ type: 'deployment.started', app: 'shop', env: 'dev', deploymentId: 'd-1', status: 'running' })).toBeUndefined();
    expect(ownerNotificationOf({ type: 'resource.failed', app: 'shop', env: 'dev', resources: [], deploymentId: 'd-1' })).toBeUndefined();
    expect(ownerNotificationOf({ type: 'environment.expired', app: 'shop', env: 'pr-42' })).toBeUndefined();
  });

  it('links to the deployment page with its parts encoded', () => {
    const failed = ownerNotificationOf({ type: 'deployment.finished', app: 'shop', env: 'pr-feature/x', deploymentId: 'd 1', status: 'failed' });
    expect(failed?.linkUnderTab).toBe('/deployments/shop/pr-feature%2Fx/d%201');
  });
});

describe('ownerRef', () => {
  it("reads an entity's spec.owner as the catalog does: a bare name is a group of the entity's namespace", () => {
    expect(ownerRef('team-shop', 'default')).toBe('group:default/team-shop');
    expect(ownerRef('team-shop', 'payments')).toBe('group:payments/team-shop');
    expect(ownerRef('user:ann', 'default')).toBe('user:default/ann');
    expect(ownerRef('Group:Other/Team-A', 'default')).toBe('group:other/team-a');
  });
});
