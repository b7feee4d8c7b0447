import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  catalog?: {
    providers?: {
      /** Baton's entity provider for provisioned resources. */
      orchestrator?: {
        /** Set to false to keep Baton's resources out of the catalog. Default: true. */
        enabled?: boolean;
        /** How often every resource is read again. Default: every 30 minutes. */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        /** Owner of resources whose app has no annotated catalog entity. Default: unknown. */
        defaultOwner?: string;
        /**
         * Let users register `file` locations (besides `url`), which
         * `baton:publish:local` needs on hosts without a Git provider.
         * Default: false.
         */
        allowFileLocations?: boolean;
      };
    };
  };
}
