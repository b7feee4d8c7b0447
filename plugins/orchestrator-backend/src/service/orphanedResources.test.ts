import { createBackendModule } from '@backstage/backend-plugin-api';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import {
  ORCHESTRATOR_EVENTS_TOPIC,
  ORCHESTRATOR_RESOURCE_EVENTS_TOPIC,
} from '@baton/backstage-plugin-orchestrator-common';
import { createTestOrchestrator } from '../__testUtils__/createTestOrchestrator';
import { SHOP_SECRET as SECRET, shopDefinitions, shopWeb as web } from '../__testUtils__/shopDeployment';

jest.setTimeout(60_000);

// A resource that leaves the Score file stays, orphaned, until someone
// deprovisions it; each step is published on the events service.

const base = '/api/orchestrator/apps/shop/envs/dev';

type Published = { topic: string; payload: any };

/** Records what the orchestrator publishes on the events service. */
function eventRecorder(published: Published[]) {
  return createBackendModule({
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
}

describe('orphaned resources', () => {
  it('orphans resources that leave the Score file, and deprovisions them on request', async () => {
    const published: Published[] = [];
    const { api, deploy, waitForDeployment, stop } = await createTestOrchestrator({
      definitions: shopDefinitions,
      environments: { 'shop/dev': 'development' },
      features: [eventRecorder(published)],
    });
    const first = await deploy('shop', 'dev', [web]);
    await waitForDeployment('shop', 'dev', first);
    const withoutDns = web.replace('      HOST: ${resources.dns.host}\n', '').replace('  dns: { type: dns }\n', '');
    const second = await deploy('shop', 'dev', [withoutDns]);
    expect((await waitForDeployment('shop', 'dev', second)).status).toBe('succeeded');

    const resources = await api.get(`${base}/resources`).expect(200);
    const dns = resources.body.find((r: { type: string }) => r.type === 'dns');
    expect(dns.status).toBe('orphaned');

    const db = resources.body.find((r: { type: string }) => r.type === 'postgres');
    await api.delete(`${base}/resources/${encodeURIComponent(db.uid)}`).expect(409);
    await api.delete(`${base}/resources/${encodeURIComponent(dns.uid)}`).expect(204);
    const after = await api.get(`${base}/resources`).expect(200);
    expect(after.body.map((r: { type: string }) => r.type)).not.toContain('dns');

    // Each step was published: deployments on one topic, resources on the other, no outputs.
    const resourceEvents = published.filter(e => e.topic === ORCHESTRATOR_RESOURCE_EVENTS_TOPIC).map(e => e.payload);
    const dnsEvents = resourceEvents.filter(e => e.resources.some((r: { uid: string }) => r.uid === dns.uid)).map(e => e.type);
    expect(dnsEvents).toEqual(['resource.provisioned', 'resource.orphaned', 'resource.deprovisioned']);
    // One event per deployment and kind of change, naming every resource it concerns.
    const provisioned = resourceEvents.find(e => e.type === 'resource.provisioned' && e.deploymentId === first);
    expect(provisioned).toMatchObject({ type: 'resource.provisioned', app: 'shop', env: 'dev', deploymentId: first });
    expect(provisioned.resources).toContainEqual({ uid: db.uid, resId: db.resId, resourceType: 'postgres' });
    expect(resourceEvents.filter(e => e.type === 'resource.provisioned' && e.deploymentId === first)).toHaveLength(1);
    expect(
      published.filter(e => e.topic === ORCHESTRATOR_EVENTS_TOPIC && e.payload.type === 'deployment.finished').map(e => e.payload.status),
    ).toEqual(['succeeded', 'succeeded']);
    // A deployment's resource events come before it says it finished.
    for (const id of [first, second]) {
      const finished = published.findIndex(e => e.payload.type === 'deployment.finished' && e.payload.deploymentId === id);
      const lastResourceEvent = published.map(e => e.topic === ORCHESTRATOR_RESOURCE_EVENTS_TOPIC && e.payload.deploymentId === id).lastIndexOf(true);
      expect(lastResourceEvent).toBeGreaterThanOrEqual(0);
      expect(lastResourceEvent).toBeLessThan(finished);
    }
    expect(JSON.stringify(published)).not.toContain(SECRET);
    await stop();
  });
});
