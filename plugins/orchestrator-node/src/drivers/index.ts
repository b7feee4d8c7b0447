export type * from './types';
export { DriverRegistry, type OrchestratorDriversExtension } from './DriverRegistry';
export { echoDriver, workloadDriver } from './echoDriver';
export { createTemplateDriver, TemplateDriverError, type TemplateDriverOptions } from './template/templateDriver';
export { createBuiltInDrivers } from './builtInDrivers';
export { checkDriverInputs, type CheckDriverInputsOptions } from './checkDriverInputs';
