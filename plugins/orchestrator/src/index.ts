/**
 * Baton's frontend: the legacy frontend system exports. The new frontend
 * system's plugin is the default export of `./alpha`.
 *
 * @packageDocumentation
 */
export {
  orchestratorPlugin,
  OrchestratorPlatformPage,
  BatonResourceTypePickerFieldExtension,
  EntityBatonCard,
} from './plugin';
export type { ResourceTypePickerUiOptions } from './components/ResourceTypePicker';
export {
  orchestratorApiRef,
  OrchestratorClient,
  type OrchestratorApi,
  type ExplainQuery,
  type ResourceStatus,
} from './api';
export { EntityBatonContent } from './components/EntityBatonContent';
