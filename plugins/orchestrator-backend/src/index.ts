export { orchestratorPlugin as default } from './plugin';
export { tuneSqlite } from './database/tuneSqlite';
export { readOrchestratorSettings, SettingsError, type OrchestratorSettings } from './service/OrchestratorSettings';
export {
  orchestratorDriversExtensionPoint,
  type OrchestratorDriversExtensionPoint,
  orchestratorClusterExtensionPoint,
  type OrchestratorClusterExtensionPoint,
  type ClusterApplier,
} from './extensions';
// The topics live in the common package; re-exported for existing imports.
export {
  ORCHESTRATOR_EVENTS_TOPIC,
  ORCHESTRATOR_RESOURCE_EVENTS_TOPIC,
} from '@baton/backstage-plugin-orchestrator-common';
