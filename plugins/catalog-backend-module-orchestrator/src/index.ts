/***/
/**
 * The orchestrator-provider module for @backstage/plugin-catalog-backend
 *
 * @packageDocumentation
 */

export { catalogModuleOrchestrator as default } from './module';
export { OrchestratorEntityProvider } from './provider/OrchestratorEntityProvider';
export { resourceToEntity, resourceEntityName, toEntityName, appsFromEntities, type ActiveResourceSummary, type AppInCatalog } from './provider/resourceToEntity';
