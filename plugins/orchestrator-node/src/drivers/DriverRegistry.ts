import type { ResourceDefinition } from '@baton/backstage-plugin-orchestrator-common';
import { Driver } from './types';

/**
 * What other backend modules are given to add drivers: the backend wraps it
 * in `orchestratorDriversExtensionPoint` (from this package's `extensions`
 * entry point; the engine itself has no Backstage imports).
 *
 * @public
 */
export interface OrchestratorDriversExtension {
  addDriver(...drivers: Driver[]): void;
}

/**
 * The drivers a plan or deployment can use, by id. The backend adds drivers
 * from other modules through its extension point.
 *
 * @public
 */
export class DriverRegistry implements OrchestratorDriversExtension {
  private readonly drivers = new Map<string, Driver>();

  constructor(drivers: Driver[] = []) {
    for (const d of drivers) this.register(d);
  }

  /** Adds a driver; a second driver with the same id is an error. */
  register(driver: Driver): void {
    if (!driver.id) throw new Error('A driver needs an id');
    if (this.drivers.has(driver.id)) {
      throw new Error(`A driver with id ${driver.id} is already registered`);
    }
    this.drivers.set(driver.id, driver);
  }

  addDriver(...drivers: Driver[]): void {
    for (const d of drivers) this.register(d);
  }

  get(id: string): Driver | undefined {
    return this.drivers.get(id);
  }

  /** The driver a definition names, or an error naming the definition and the drivers there are. */
  forDefinition(definition: ResourceDefinition): Driver {
    const driver = this.drivers.get(definition.spec.driver);
    if (!driver) {
      throw new Error(
        `definition ${definition.metadata.id} uses driver ${definition.spec.driver}, which is not installed (installed: ${
          this.ids().join(', ') || 'none'
        })`,
      );
    }
    return driver;
  }

  ids(): string[] {
    return [...this.drivers.keys()].sort();
  }
}
