export { orchestratorPlugin as default } from './plugin';
export {
  orchestratorDriversExtensionPoint,
  type OrchestratorDriversExtensionPoint,
} from './extensions';
export { ORCHESTRATOR_EVENTS_TOPIC } from './plugin';
