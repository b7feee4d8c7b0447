import { ResourceDefinition } from '@baton/backstage-plugin-orchestrator-common';
import { SubstitutionError } from '../placeholders';
import { resolveDriverInputs } from './resolveDriverInputs';

function definition(driverInputs: ResourceDefinition['spec']['driverInputs']): ResourceDefinition {
  return { apiVersion: 'baton.dev/v1', kind: 'ResourceDefinition', metadata: { id: 'd' }, spec: { type: 'postgres', driver: 'echo', driverInputs, criteria: [{}] } };
}

const target = {
  app: 'shop',
  env: 'dev',
  envType: 'development',
  resource: { uid: 'postgres.default#shared.db', type: 'postgres', class: 'default', resId: 'shared.db', guresid: 'g123' },
};

// Another resource of the environment: a server with a plain host and a secret admin password.
const outputsOf = (ref: { type: string; class: string; resId: string }) =>
  ref.type === 'pg-server' && ref.resId === 'shared.db'
    ? { outputs: { host: 'pg.internal', port: 5432 }, secrets: { password: 's3cr3t' } }
    : undefined;

describe('resolveDriverInputs', () => {
  it.each([
    ['plain values stay inputs', { values: { host: 'h' } }, { inputs: { host: 'h' }, secrets: {} }],
    ['context placeholders', { values: { name: 'db_${context.res.guresid}_${context.env.type}' } }, { inputs: { name: 'db_g123_development' }, secrets: {} }],
    ['a plain output read by reference', { values: { host: '${resources.pg-server.outputs.host}' } }, { inputs: { host: 'pg.internal' }, secrets: {} }],
    ['a non-string output is written as text', { values: { port: '${resources.pg-server.outputs.port}' } }, { inputs: { port: '5432' }, secrets: {} }],
    [
      'a value built from a secret output becomes a secret input',
      { values: { url: 'pg://admin:${resources.pg-server.outputs.password}@h' } },
      { inputs: {}, secrets: { url: 'pg://admin:s3cr3t@h' } },
    ],
    ['driverInputs.secrets are always secret', { secrets: { token: 'plain-text' } }, { inputs: {}, secrets: { token: 'plain-text' } }],
  ])('%s', (_, driverInputs, expected) => {
    expect(resolveDriverInputs(definition(driverInputs), target, outputsOf)).toEqual(expected);
  });

  it("passes a driver's verbatim inputs as written, resolving the others", () => {
    const script = 'resource "terraform_data" "b" { input = "${var.name}" }';
    const inputs = { values: { script, variables: { name: '${context.app.id}' } } };
    expect(resolveDriverInputs(definition(inputs), target, outputsOf, { verbatim: ['script'] })).toEqual({
      inputs: { script, variables: { name: 'shop' } },
      secrets: {},
    });
    expect(() => resolveDriverInputs(definition(inputs), target, outputsOf)).toThrow(/values\.script: invalid ref 'var\.name'/);
  });

  it('reports every problem together, naming the field', () => {
    let error: unknown;
    try {
      resolveDriverInputs(definition({ values: { a: '${resources.missing.outputs.x}', b: '${context.nope}' } }), target, outputsOf);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SubstitutionError);
    expect((error as SubstitutionError).problems).toEqual([expect.stringMatching(/^values\.a: /), expect.stringMatching(/^values\.b: /)]);
  });
});
