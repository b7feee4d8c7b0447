import { Driver } from './types';

/**
 * The drivers a plan or deployment can use, by id. The backend adds drivers
 * from other modules through its extension point.
 *
 * @public
 */
export class DriverRegistry {
  private readonly drivers = new Map<string, Driver>();

  constructor(drivers: Driver[] = []) {
    for (const d of drivers) this.register(d);
  }

  register(driver: Driver): void {
    if (this.drivers.has(driver.id)) {
      throw new Error(`A driver with id ${driver.id} is already registered`);
    }
    this.drivers.set(driver.id, driver);
  }

  get(id: string): Driver | undefined {
    return this.drivers.get(id);
  }

  ids(): string[] {
    return [...this.drivers.keys()].sort();
  }
}
