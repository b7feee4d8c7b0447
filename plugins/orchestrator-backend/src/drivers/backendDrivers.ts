import { DatabaseService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { createBuiltInDrivers, Driver, DriverRegistry } from '@baton/backstage-plugin-orchestrator-node';
import path from 'node:path';
import { DatabaseTerraformStateStore } from '../database/TerraformStateStore';
import { SecretBox } from '../secrets/SecretBox';
import { AmqpDriver } from './AmqpDriver';
import { CommandDriver } from './command/CommandDriver';
import { MysqlDriver } from './MysqlDriver';
import { PostgresDriver } from './PostgresDriver';
import { RedisDriver } from './RedisDriver';
import { defaultTerraformBinary, TerraformDriver } from './terraform/TerraformDriver';

/**
 * The drivers a backend provisions with: the engine's pure ones, those with
 * side effects that live in the backend (databases, brokers, Terraform,
 * commands) and those backend modules add. The Terraform driver is returned
 * too: the API reports its last runs and it is closed on shutdown.
 *
 * @internal
 */
export async function createBackendDrivers(options: {
  config: Config;
  database: DatabaseService;
  secrets: SecretBox;
  dataDir: string;
  moduleDrivers: Driver[];
}): Promise<{ drivers: DriverRegistry; terraform: TerraformDriver }> {
  const { config } = options;
  const drivers = createBuiltInDrivers();
  drivers.register(new PostgresDriver());
  drivers.register(new MysqlDriver());
  drivers.register(new RedisDriver());
  drivers.register(new AmqpDriver());
  drivers.register(CommandDriver.fromConfig(config));
  const terraform = new TerraformDriver({
    binary: config.getOptionalString('orchestrator.drivers.terraform.binary') ?? defaultTerraformBinary(),
    states: await DatabaseTerraformStateStore.create({ database: options.database }),
    cipher: options.secrets,
    workDir: path.join(options.dataDir, 'terraform'),
    timeoutSeconds: config.getOptionalNumber('orchestrator.drivers.terraform.timeoutSeconds'),
    lockLeaseSeconds: config.getOptionalNumber('orchestrator.drivers.terraform.lockLeaseSeconds'),
  });
  drivers.register(terraform);
  for (const driver of options.moduleDrivers) drivers.register(driver);
  return { drivers, terraform };
}
