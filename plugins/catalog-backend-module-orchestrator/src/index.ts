/***/
/**
 * The orchestrator-provider module for @backstage/plugin-catalog-backend
 *
 * @packageDocumentation
 */

export { catalogModuleOrchestrator as default } from './module';
