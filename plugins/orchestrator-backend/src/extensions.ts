// The extension points live in the node library so a module adding a driver
// or a cluster applier need not depend on this plugin; re-exported here for
// modules that import them from the backend.
export {
  orchestratorDriversExtensionPoint,
  type OrchestratorDriversExtensionPoint,
  orchestratorClusterExtensionPoint,
  type OrchestratorClusterExtensionPoint,
  type ClusterApplier,
} from '@baton/backstage-plugin-orchestrator-node/extensions';
