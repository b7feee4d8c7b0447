import { DatabaseService } from '@backstage/backend-plugin-api';
import { DatabaseBackendInstanceStore } from './BackendInstanceStore';
import { DatabaseDeploymentStore } from './DatabaseDeploymentStore';
import { DatabaseOrchestratorStore } from './DatabaseOrchestratorStore';
import { DatabaseDefinitionStore } from './DefinitionStore';
import { DatabaseDeliveredSecretStore } from './DeliveredSecretStore';
import { DatabaseDriftReportStore } from './DriftReportStore';
import { EnvironmentLifecycleStore } from './EnvironmentLifecycleStore';
import { DatabaseGitWatchStateStore } from './GitWatchStateStore';
import { DatabaseSecretKeyStore } from './SecretKeyStore';

/**
 * Every store of the orchestrator on its database, the migrations applied
 * once. SQL lives only in these.
 *
 * @internal
 */
export async function createStores(database: DatabaseService) {
  return {
    /** Apps, environments and environment types. */
    store: await DatabaseOrchestratorStore.create({ database }),
    /** Deployments, their queue and locks, progress, artifacts and the resources they leave. */
    deploymentStore: await DatabaseDeploymentStore.create({ database }),
    definitionStore: await DatabaseDefinitionStore.create({ database }),
    deliveredSecrets: await DatabaseDeliveredSecretStore.create({ database }),
    driftReports: await DatabaseDriftReportStore.create({ database }),
    watchState: await DatabaseGitWatchStateStore.create({ database }),
    /** The backends working this database, with the GitOps repository each delivers to. */
    instances: await DatabaseBackendInstanceStore.create({ database }),
    secretKeys: await DatabaseSecretKeyStore.create({ database }),
    /** Environments' expiry, teardowns and previews. */
    lifecycle: await EnvironmentLifecycleStore.create({ database }),
  };
}
