import { ValidationError } from '../diagnostics';
import { checkDefinitionConflicts, parseResourceDefinitions } from './parseDefinitions';

const file = `# Postgres for staging
apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: postgres-staging, name: Postgres on the shared staging server }
spec:
  type: postgres
  driver: echo
  driverInputs:
    values: { host: pg.staging, port: 5432 }
    secrets: { password: s3cr3t }
  criteria:
    - { envType: staging }
    - { envType: development, appId: shop, class: large }
  provision:
    "aws-policy#shared.policy": { isDependent: false, params: { x: 1 } }
---
apiVersion: baton.dev/v1
kind: EnvironmentType
metadata: { id: staging }
---
apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: redis-any }
spec:
  type: redis
  driver: echo
  criteria: [{}]
`;

describe('parseResourceDefinitions', () => {
  it('reads multi-document files, skipping other kinds, with the line of each definition', () => {
    const loaded = parseResourceDefinitions(file, 'defs.yaml');
    expect(loaded.map(d => [d.definition.metadata.id, d.file, d.line])).toEqual([
      ['postgres-staging', 'defs.yaml', 1],
      ['redis-any', 'defs.yaml', 21],
    ]);
    expect(loaded[0].definition.spec.criteria).toHaveLength(2);
  });

  it('reports every problem of every document with position and field', () => {
    const bad = `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: Bad_Id }
spec:
  type: postgres
  criteria:
    - { envtype: staging }
---
apiVersion: baton.dev/v2
kind: ResourceDefinition
metadata: { id: ok }
spec: { type: redis, driver: echo }
`;
    let error: ValidationError | undefined;
    try {
      parseResourceDefinitions(bad, 'bad.yaml');
    } catch (e) {
      error = e as ValidationError;
    }
    expect(error?.diagnostics).toEqual([
      { file: 'bad.yaml', line: 3, column: 17, path: 'metadata.id', message: 'must be a lowercase id (a-z, 0-9, - and .)' },
      { file: 'bad.yaml', line: 4, column: 1, path: 'spec', message: "missing required field 'driver'" },
      { file: 'bad.yaml', line: 7, column: 9, path: 'spec.criteria.0.envtype', message: "unknown field 'envtype'" },
      { file: 'bad.yaml', line: 9, column: 13, path: 'apiVersion', message: 'must be baton.dev/v1' },
    ]);
  });
});

describe('checkDefinitionConflicts', () => {
  it('names both definitions of an identical criterion and duplicate ids', () => {
    const a = parseResourceDefinitions(file, 'a.yaml');
    const b = parseResourceDefinitions(
      `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: postgres-other }
spec:
  type: postgres
  driver: echo
  criteria: [{ envType: staging, class: default }]
---
apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: redis-any }
spec: { type: redis, driver: echo }
`,
      'b.yaml',
    );
    expect(checkDefinitionConflicts([...a, ...b]).map(d => d.message)).toEqual([
      'definitions postgres-staging (a.yaml:1) and postgres-other have the same criterion {"class":"default","envType":"staging"} for type postgres',
      'definition redis-any is defined twice (a.yaml:21)',
    ]);
    expect(checkDefinitionConflicts(a)).toEqual([]);
  });
});
