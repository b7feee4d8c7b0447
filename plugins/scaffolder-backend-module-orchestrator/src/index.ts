/***/
/**
 * The orchestrator module for @backstage/plugin-scaffolder-backend.
 *
 * @packageDocumentation
 */

export { scaffolderModuleOrchestrator as default } from './module';
