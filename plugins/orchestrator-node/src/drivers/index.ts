export type * from './types';
export { DriverRegistry } from './DriverRegistry';
export { echoDriver, workloadDriver } from './echoDriver';
export { createTemplateDriver, TemplateDriverError, type TemplateDriverOptions } from './template/templateDriver';
