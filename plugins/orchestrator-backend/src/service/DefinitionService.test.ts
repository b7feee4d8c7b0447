import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { ValidationError } from '@baton/backstage-plugin-orchestrator-common';
import { createBuiltInDrivers, driverInputDiagnostics, loadDefinitionFiles } from '@baton/backstage-plugin-orchestrator-node';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { temporaryFolder } from '../__testUtils__/temporaryFolder';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';
import { DatabaseDeploymentStore } from '../database/DatabaseDeploymentStore';
import { DatabaseDefinitionStore } from '../database/DefinitionStore';
import { DatabaseOrchestratorStore } from '../database/DatabaseOrchestratorStore';
import { PostgresDriver } from '../drivers/PostgresDriver';
import { MysqlDriver } from '../drivers/MysqlDriver';
import { RedisDriver } from '../drivers/RedisDriver';
import { AmqpDriver } from '../drivers/AmqpDriver';
import { TerraformDriver } from '../drivers/terraform/TerraformDriver';
import type { StateCipher } from '../drivers/terraform/TerraformStateServer';
import type { TerraformStateStore } from '../database/TerraformStateStore';
import { SecretBox } from '../secrets/SecretBox';
import { DefinitionService } from './DefinitionService';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: testDatabaseIds });
const migrationsDir = resolvePackagePath('@baton/backstage-plugin-orchestrator-backend', 'migrations');

describe.each(databases.eachSupportedId())('DefinitionService (%s)', id => {
  async function setup(configPaths: string[] = []) {
    const knex = await databases.init(id);
    await knex.migrate.latest({ directory: migrationsDir });
    await knex('env_types').insert({ id: 'development' });
    await knex('apps').insert({ id: 'shop' });
    await knex('environments').insert({ app_id: 'shop', id: 'dev', type: 'development' });
    const database = { getClient: async () => knex };
    const store = await DatabaseDeploymentStore.create({ database });
    const drivers = createBuiltInDrivers();
    drivers.register(new PostgresDriver());
    const service = new DefinitionService({
      definitionStore: await DatabaseDefinitionStore.create({ database }),
      store: await DatabaseOrchestratorStore.create({ database }),
      secrets: new SecretBox(randomBytes(32)),
      deploymentStore: store,
      configPaths,
      drivers,
    });
    await service.load();
    /** Active resources of `type` in shop/dev, provisioned by `definitionId`. */
    const provision = (type: string, definitionId: string, count: number) =>
      store.putResources(
        Array.from({ length: count }, (_, i) => ({
          appId: 'shop',
          envId: 'dev',
          uid: `${type}.default#r${i}`,
          resId: `r${i}`,
          type,
          class: 'default',
          guresid: randomBytes(12).toString('hex'),
          definitionId,
          definitionRevision: 1,
          status: 'active' as const,
          outputs: { host: `${type}-${i}.internal` },
          workloads: ['web'],
        })),
      );
    const define = (definitionId: string, spec: object, force = false) =>
      service.put(
        definitionId,
        { apiVersion: 'baton.dev/v1', kind: 'ResourceDefinition', metadata: { id: definitionId }, spec },
        'application/json',
        { force },
      );
    return { service, store, provision, define };
  }

  it('refuses a change that would re-match an active resource, naming it, unless forced', async () => {
    const { provision, define, service } = await setup();
    await define('pg-dev', { type: 'postgres', driver: 'echo', criteria: [{ envType: 'development' }] });
    await provision('postgres', 'pg-dev', 1);
    await expect(define('pg-shop', { type: 'postgres', driver: 'echo', criteria: [{ appId: 'shop' }] })).rejects.toThrow(
      'This change would re-match 1 active resource(s): shop/dev postgres.default#r0: pg-dev → pg-shop. Repeat with ?force=true to apply it.',
    );
    await expect(service.delete('pg-dev', { force: false })).rejects.toThrow('pg-dev → no definition');
    // A definition whose type changes leaves the resources of its old type without one.
    await expect(define('pg-dev', { type: 'mysql', driver: 'echo', criteria: [{ envType: 'development' }] })).rejects.toThrow(
      'postgres.default#r0: pg-dev → no definition',
    );
    await define('pg-shop', { type: 'postgres', driver: 'echo', criteria: [{ appId: 'shop' }] }, true);
    expect(service.get('pg-shop').revision).toBe(1);
  });

  it('checks only the resources of the types a change touches, however many others are active', async () => {
    const { store, provision, define } = await setup();
    await define('amqp-dev', { type: 'amqp', driver: 'echo', criteria: [{ envType: 'development' }] });
    await provision('amqp', 'amqp-dev', 2_000);
    // Every resource the impact check reads.
    let read = 0;
    const listAllResources = store.listAllResources.bind(store);
    jest.spyOn(store, 'listAllResources').mockImplementation(async page => {
      const result = await listAllResources(page);
      read += result.items.length;
      return result;
    });
    for (let i = 0; i < 10; i++) await define(`queue-${i}`, { type: `queue-${i}`, driver: 'echo', criteria: [{}] });
    expect(read).toBe(0);
    // The resources of the type it touches are still checked, every one of them.
    await expect(define('amqp-shop', { type: 'amqp', driver: 'echo', criteria: [{ appId: 'shop' }] })).rejects.toThrow(
      'This change would re-match 2000 active resource(s)',
    );
    expect(read).toBe(2_000);
  });

  it("checks each definition's driver inputs when it is saved, storing nothing that fails", async () => {
    const { define, service } = await setup();
    const refused = await define('config', { type: 'config', driver: 'template', criteria: [{}], driverInputs: { values: { templates: 5 } } }).catch(e => e);
    expect(refused).toBeInstanceOf(ValidationError);
    expect(refused.diagnostics).toEqual([
      { file: 'request body', line: 1, path: 'spec.driverInputs.values.templates', message: 'must be object' },
    ]);
    expect(() => service.get('config')).toThrow('No resource definition config');
    // Placeholders resolve at deployment; a key the driver reads from secrets is not an unknown input.
    await define('pg', {
      type: 'postgres',
      driver: 'postgres',
      criteria: [{}],
      driverInputs: {
        values: { host: '${resources.server.outputs.host}', port: '${resources.server.outputs.port}' },
        secrets: { adminPassword: 'x' },
      },
    });
    expect(service.get('pg').revision).toBe(1);
  });

  it('keeps the example definitions and the end-to-end ones valid: their inputs suit their drivers', async () => {
    const root = path.resolve(__dirname, '../../../..');
    const drivers = createBuiltInDrivers();
    drivers.register(new PostgresDriver());
    drivers.register(new MysqlDriver());
    drivers.register(new RedisDriver());
    drivers.register(new AmqpDriver());
    // Checking inputs reads neither states nor keys: the driver is only asked about its inputs.
    drivers.register(new TerraformDriver({ binary: 'terraform', states: {} as TerraformStateStore, cipher: {} as StateCipher, workDir: temporaryFolder('baton-tf-') }));
    // Definitions of drivers installed elsewhere (modules) are checked where those are.
    for (const dir of ['examples/definitions', 'examples/local-services', 'packages/backend/e2e/definitions', 'packages/backend/e2e/production']) {
      const loaded = (await loadDefinitionFiles([path.join(root, dir)])).filter(d => drivers.get(d.definition.spec.driver));
      expect(loaded.length).toBeGreaterThan(0);
      expect(loaded.flatMap(d => driverInputDiagnostics(d, drivers))).toEqual([]);
    }
  });

  it('names the file, line and field of a configuration file definition with a bad input, loading none of it', async () => {
    const dir = temporaryFolder('baton-definitions-');
    fs.writeFileSync(
      path.join(dir, 'queues.yaml'),
      [
        'apiVersion: baton.dev/v1',
        'kind: ResourceDefinition',
        'metadata: { id: fine }',
        'spec: { type: dns, driver: echo, criteria: [{}] }',
        '---',
        'apiVersion: baton.dev/v1',
        'kind: ResourceDefinition',
        'metadata: { id: pg }',
        'spec:',
        '  type: postgres',
        '  driver: postgres',
        '  criteria: [{}]',
        '  driverInputs:',
        '    values:',
        '      host: db.internal',
        '      sslmode: require',
        '',
      ].join('\n'),
    );
    const error = await setup([dir]).catch(e => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(
      `${path.join(dir, 'queues.yaml')}:16:7: spec.driverInputs.values.sslmode: is not an input of driver postgres (its inputs here: host, port, adminUser, database)`,
    );
  });
});
