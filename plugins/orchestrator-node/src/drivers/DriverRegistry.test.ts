import { ResourceDefinition } from '@baton/backstage-plugin-orchestrator-common';
import { DriverRegistry } from './DriverRegistry';
import { echoDriver, workloadDriver } from './echoDriver';
import { DriverContext } from './types';

const definition = (driver: string): ResourceDefinition => ({
  apiVersion: 'baton.dev/v1',
  kind: 'ResourceDefinition',
  metadata: { id: 'pg-prod' },
  spec: { type: 'postgres', driver },
});

function context(inputs: Record<string, unknown>, secrets: Record<string, unknown>): DriverContext {
  return {
    guresid: 'abc',
    resource: { uid: 'postgres.default#shared.db', type: 'postgres', class: 'default', resId: 'shared.db', params: {} },
    context: { app: { id: 'shop' }, env: { id: 'dev', type: 'development' } },
    inputs,
    secrets,
    signal: new AbortController().signal,
    logger: { info() {}, warn() {}, error() {}, debug() {} },
  };
}

describe('DriverRegistry', () => {
  it('finds drivers by id and names the definition when one is missing', () => {
    const registry = new DriverRegistry([echoDriver]);
    registry.addDriver(workloadDriver);
    expect(registry.forDefinition(definition('echo'))).toBe(echoDriver);
    expect(registry.ids()).toEqual(['echo', 'workload']);
    expect(() => registry.forDefinition(definition('terraform'))).toThrow(
      'definition pg-prod uses driver terraform, which is not installed (installed: echo, workload)',
    );
    expect(() => registry.register({ ...echoDriver })).toThrow('A driver with id echo is already registered');
  });
});

describe('echo driver', () => {
  it('returns the inputs as outputs and the secrets as secret outputs, without touching them', async () => {
    const inputs = { host: 'db.internal', port: 5432, nested: { a: [1] } };
    const secrets = { password: 'hunter2' };
    const result = await echoDriver.provision(context(inputs, secrets));
    expect(result).toEqual({ outputs: inputs, secrets });
    expect(result.outputs).not.toBe(inputs);
    expect(echoDriver.pure).toBe(true);
  });
});
