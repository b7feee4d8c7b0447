/**
 * Baton's frontend: the legacy frontend system exports. The new frontend
 * system's plugin is the default export of `./alpha`.
 *
 * @packageDocumentation
 */
export { orchestratorPlugin, OrchestratorPlatformPage } from './plugin';
export {
  orchestratorApiRef,
  OrchestratorClient,
  type OrchestratorApi,
  type OrchestratorHealth,
} from './api';
