import { mockServices } from '@backstage/backend-test-utils';
import { DeploymentEvent, EnvironmentEvent, ResourceEvent } from '@baton/backstage-plugin-orchestrator-common';
import { OrchestratorEvents, RESOURCES_PER_EVENT } from './OrchestratorEvents';

describe('OrchestratorEvents', () => {
  it('lists the resources of a big change in events of a bounded size, all of them in order', async () => {
    const published: (DeploymentEvent | ResourceEvent | EnvironmentEvent)[] = [];
    const events = new OrchestratorEvents(e => void published.push(e), mockServices.logger.mock());
    const resources = Array.from({ length: 2 * RESOURCES_PER_EVENT + 201 }, (_, i) => ({ uid: `redis.default#w${i}.cache`, resId: `w${i}.cache`, type: 'redis' }));

    await events.resources('resource.provisioned', 'shop', 'dev', resources, 'd-1');

    const sizes = published.map(e => (e as ResourceEvent).resources.length);
    expect(sizes).toEqual([RESOURCES_PER_EVENT, RESOURCES_PER_EVENT, 201]);
    expect(published.every(e => e.type === 'resource.provisioned' && e.app === 'shop' && e.env === 'dev' && e.deploymentId === 'd-1')).toBe(true);
    expect(published.flatMap(e => (e as ResourceEvent).resources.map(r => r.uid))).toEqual(resources.map(r => r.uid));
    expect((published[0] as ResourceEvent).resources[0]).toEqual({ uid: 'redis.default#w0.cache', resId: 'w0.cache', resourceType: 'redis' });
  });

  it('publishes nothing for a change of no resources, and a failed publish does not fail the change', async () => {
    const published: unknown[] = [];
    await new OrchestratorEvents(e => void published.push(e), mockServices.logger.mock()).resources('resource.failed', 'shop', 'dev', []);
    expect(published).toEqual([]);

    const logger = mockServices.logger.mock();
    const failing = new OrchestratorEvents(() => Promise.reject(new Error('bus down')), logger);
    await expect(failing.resources('resource.orphaned', 'shop', 'dev', [{ uid: 'u', resId: 'r', type: 't' }])).resolves.toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('bus down'));
  });
});
