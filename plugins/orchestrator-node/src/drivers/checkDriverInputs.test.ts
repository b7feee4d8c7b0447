import { checkDriverInputs } from './checkDriverInputs';
import { createTemplateDriver } from './template/templateDriver';
import { Driver } from './types';

// A driver with the shape of the backend's postgres driver: closed schema,
// an integer port, an admin password read only from secrets.
const database: Driver = {
  id: 'database',
  inputsSchema: {
    type: 'object',
    required: ['host'],
    properties: {
      host: { type: 'string', minLength: 1 },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      database: { type: 'string', pattern: '^[a-z_][a-z0-9_]*$' },
    },
    additionalProperties: false,
  },
  async provision() {
    return { outputs: {}, secrets: {} };
  },
};

describe('checkDriverInputs', () => {
  it('names each field that breaks the schema, a missing or unknown one by its own path', () => {
    expect(checkDriverInputs(database, { port: 0, database: 'Bad', colour: 'blue' })).toEqual([
      { path: 'values.host', message: 'is required' },
      { path: 'values.colour', message: 'is not an input of driver database (its inputs here: host, port, database)' },
      { path: 'values.port', message: 'must be >= 1' },
      { path: 'values.database', message: 'must match pattern "^[a-z_][a-z0-9_]*$"' },
    ]);
    expect(checkDriverInputs(createTemplateDriver(), { templates: 5 })).toEqual([
      { path: 'values.templates', message: 'must be object' },
    ]);
    expect(checkDriverInputs(createTemplateDriver(), { templates: { output: '' } })).toEqual([
      {
        path: 'values.templates.output',
        message: 'is not an input of driver template (its inputs here: init, outputs, secrets, manifests, cookie)',
      },
    ]);
  });

  it('accepts a placeholder wherever the schema wants another type or form, as it resolves only at deployment', () => {
    expect(
      checkDriverInputs(database, {
        host: '${resources.k8s-service.outputs.host}',
        port: '${resources.db-server.outputs.port}',
        database: 'app_${context.app.id}',
      }),
    ).toEqual([]);
    // Text around a placeholder does not excuse another field.
    expect(checkDriverInputs(database, { host: '${context.env.id}.db', port: 'x' })).toEqual([
      { path: 'values.port', message: 'must be integer' },
    ]);
  });

  it('counts a key given as a secret as present, and never as unknown', () => {
    expect(checkDriverInputs(database, {}, ['host', 'adminPassword'])).toEqual([]);
    // Given in both maps, the value is checked as it is.
    expect(checkDriverInputs(database, { host: '' }, ['host'])).toEqual([
      { path: 'values.host', message: 'must NOT have fewer than 1 characters' },
    ]);
  });

  it('excuses a oneOf whose matching form differs only by placeholders, and reports one that matches no form', () => {
    const module: Driver = {
      id: 'module',
      inputsSchema: {
        type: 'object',
        oneOf: [
          { required: ['script'], properties: { script: { type: 'string' } } },
          { required: ['source'], properties: { source: { type: 'object' } } },
        ],
      },
      async provision() {
        return { outputs: {}, secrets: {} };
      },
    };
    expect(checkDriverInputs(module, { source: '${resources.repo.outputs.module}' })).toEqual([]);
    expect(checkDriverInputs(module, {})).toEqual([
      { path: 'values', message: 'must match exactly one of the forms the driver allows' },
    ]);
  });

  it("runs the driver's own check with the values as written and the secrets' keys, unless the values are resolved", () => {
    const seen: unknown[] = [];
    const command: Driver = {
      id: 'command',
      validateInputs(values, secretKeys) {
        seen.push({ values, secretKeys });
        return values.run === 'rm' ? [{ path: 'values.run', message: 'is not an allowed executable' }] : [];
      },
      async provision() {
        return { outputs: {}, secrets: {} };
      },
    };
    expect(checkDriverInputs(command, { run: 'rm' }, ['token'])).toEqual([
      { path: 'values.run', message: 'is not an allowed executable' },
    ]);
    expect(seen).toEqual([{ values: { run: 'rm' }, secretKeys: ['token'] }]);
    expect(checkDriverInputs(command, { run: 'rm' }, [], { resolved: true })).toEqual([]);
    expect(seen).toHaveLength(1);

    const broken: Driver = {
      ...command,
      validateInputs() {
        throw new Error('no allow-list configured');
      },
    };
    expect(checkDriverInputs(broken, {})).toEqual([
      { path: 'values', message: 'driver command could not check its inputs: no allow-list configured' },
    ]);
  });

  it('takes resolved values as they are: a string holding ${ is checked like any other', () => {
    expect(checkDriverInputs(database, { host: 'h', port: '${not.resolved}' }, [], { resolved: true })).toEqual([
      { path: 'values.port', message: 'must be integer' },
    ]);
    expect(checkDriverInputs(database, {}, ['host'], { resolved: true })).toEqual([
      { path: 'values.host', message: 'is required' },
    ]);
  });
});
