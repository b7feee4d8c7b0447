import type { LifecycleService, LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { DeploymentStore } from '../database/DeploymentStore';
import type { EnvironmentLifecycleStore } from '../database/EnvironmentLifecycleStore';
import type { GitWatchStateStore } from '../database/GitWatchStateStore';
import type { DeployMode, OrchestratorStore } from '../database/OrchestratorStore';
import type { Delivery } from '../delivery/Delivery';
import type { DeploymentService } from '../service/DeploymentService';
import type { WatchedRepository } from '../service/GitWatcher';
import type { OrchestratorEvents } from '../service/OrchestratorEvents';
import { PreviewEnvironments, readPreviewSettings } from '../service/PreviewEnvironments';
import { EnvironmentExpiry } from './EnvironmentExpiry';
import { EnvironmentTeardown } from './EnvironmentTeardown';

/**
 * What ends environments and makes previews: the teardown (one backend per
 * environment), the periodic expiry check and the preview environments of
 * pull requests and branches, from `orchestrator.environments` and
 * `orchestrator.previews`.
 *
 * @internal
 */
export function createEnvironmentLifecycle(
  config: Config,
  deps: {
    lifecycle: EnvironmentLifecycleStore;
    /** The expiry check starts with the backend and stops with it. */
    hooks: LifecycleService;
    store: OrchestratorStore;
    deploymentStore: DeploymentStore;
    deploymentService: DeploymentService;
    delivery: Record<DeployMode, Pick<Delivery, 'remove'>>;
    watchState: GitWatchStateStore;
    repositories: () => Promise<WatchedRepository[]>;
    events: OrchestratorEvents;
    logger: LoggerService;
    instanceId: string;
    staleAfterMs: number;
  },
) {
  const logger = deps.logger.child({ task: 'environments' });
  const teardown = new EnvironmentTeardown({ ...deps, logger });
  const expiry = EnvironmentExpiry.fromConfig(config, { lifecycle: deps.lifecycle, teardown, events: deps.events, logger });
  deps.hooks.addStartupHook(() => expiry.start());
  deps.hooks.addShutdownHook(() => expiry.stop());
  return {
    teardown,
    expiry,
    previews: new PreviewEnvironments({ ...deps, settings: readPreviewSettings(config), teardown, logger }),
  };
}
