import { createBackendModule } from '@backstage/backend-plugin-api';
import { eventsServiceRef } from '@backstage/plugin-events-node';

let modules = 0;

/**
 * A backend module that keeps every event published on `topic` in `into`,
 * as a subscriber on the backend's events service sees them.
 */
export function collectedEvents(topic: string, into: unknown[]) {
  modules += 1;
  const id = `collected-events-${modules}`;
  return createBackendModule({
    pluginId: 'orchestrator',
    moduleId: id,
    register(reg) {
      reg.registerInit({
        deps: { events: eventsServiceRef },
        async init({ events }) {
          await events.subscribe({ id, topics: [topic], onEvent: async event => void into.push(event.eventPayload) });
        },
      });
    },
  });
}
