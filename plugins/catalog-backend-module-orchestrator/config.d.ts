import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  catalog?: {
    providers?: {
      /** Baton's entity provider for provisioned resources. */
      orchestrator?: {
        /** How often the full set of resources is read from the orchestrator. */
        schedule: SchedulerServiceTaskScheduleDefinitionConfig;
      };
    };
  };
}
