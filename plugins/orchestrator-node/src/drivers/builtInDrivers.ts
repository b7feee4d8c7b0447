import { DriverRegistry } from './DriverRegistry';
import { echoDriver, workloadDriver } from './echoDriver';
import { createTemplateDriver } from './template/templateDriver';

/** The pure built-in drivers: echo, template and workload. @public */
export function createBuiltInDrivers(): DriverRegistry {
  return new DriverRegistry([echoDriver, workloadDriver, createTemplateDriver()]);
}
