import { parseScore, parseScoreResult, validateScoreWorkload } from './validateScore';

const valid = `apiVersion: score.dev/v1b1
metadata:
  name: web
  team: shop
service:
  ports:
    http:
      port: 80
      targetPort: 8080
containers:
  main:
    image: nginx
    variables:
      DB_HOST: \${resources.db.host}
      NAME: \${metadata.name}
      LITERAL: $\${not-a-placeholder}
    files:
      /etc/app.conf:
        content: "host=\${resources.db.host}"
        mode: "0644"
      /etc/raw.txt:
        content: "\${this is not expanded}"
        noExpand: true
    livenessProbe:
      httpGet:
        path: /healthz
        port: 8080
resources:
  db:
    type: postgres
    class: large
    id: main-db
    params:
      version: "16"
`;

describe('parseScore', () => {
  it('accepts a valid workload', () => {
    const workload = parseScore(valid, 'score.yaml');
    expect(workload.metadata).toEqual({ name: 'web', team: 'shop' });
    expect(workload.containers.main.files!['/etc/app.conf'].mode).toBe('0644');
  });

  it('reports every problem with file, line, column and field path', () => {
    const text = `apiVersion: score.dev/v1b1
metadata:
  name: Web_App
containers:
  main:
    imagee: nginx
    variables:
      A: \${resources.cache.host}
      B: \${resources.bad one}
      C: \${cheese.x.y}
resources:
  db:
    type: postgres
    clas: large
`;
    const { workload, diagnostics } = parseScoreResult(text, 'svc/score.yaml');
    expect(workload).toBeUndefined();
    expect(diagnostics).toEqual(
      expect.arrayContaining([
        {
          file: 'svc/score.yaml',
          line: 3,
          column: 9,
          path: 'metadata.name',
          message: expect.stringContaining('must be a lowercase RFC 1123 label'),
        },
        { file: 'svc/score.yaml', line: 6, column: 5, path: 'containers.main.imagee', message: "unknown field 'imagee'" },
        { file: 'svc/score.yaml', line: 5, column: 3, path: 'containers.main', message: "missing required field 'image'" },
        { file: 'svc/score.yaml', line: 14, column: 5, path: 'resources.db.clas', message: "unknown field 'clas'" },
        {
          file: 'svc/score.yaml',
          line: 8,
          column: 10,
          path: 'containers.main.variables.A',
          message: "${resources.cache.host} does not resolve to a resource: no resource 'cache' is declared",
        },
      ]),
    );
    // Schema problems and placeholder problems come together, in file order.
    expect(diagnostics.map(d => d.line)).toEqual([3, 5, 6, 8, 9, 10, 14]);
  });

  it('checks placeholders as score-go does (V vectors)', () => {
    const withVariable = (value: string, resources = '') =>
      parseScoreResult(
        `apiVersion: score.dev/v1b1\nmetadata:\n  name: w1\ncontainers:\n  main:\n    image: x\n    variables:\n      V: "${value}"\n${resources}`,
        'score.yaml',
      ).diagnostics.map(d => d.message);
    const resOne = 'resources:\n  res-one:\n    type: thing\n';
    expect(withVariable('${resources.res-one.this has spaces!}', resOne)[0]).toContain(
      '${resources.res-one.this has spaces!} is malformed',
    );
    expect(withVariable('${resources.res-one.value}')[0]).toContain(
      '${resources.res-one.value} does not resolve to a resource',
    );
    expect(withVariable('${cheese.res-one.value}')[0]).toContain(
      '${cheese.res-one.value} has unsupported first element',
    );
    expect(withVariable('${resources}')[0]).toContain('${resources} is malformed');
    expect(withVariable('Escaped $${resources.no-exists.value}')).toEqual([]);
    const v6 = parseScoreResult(
      'apiVersion: score.dev/v1b1\nmetadata:\n  name: w1\ncontainers:\n  main:\n    image: x\n    files:\n      /f:\n        content: "${this is invalid}"\n        noExpand: true\n',
      'score.yaml',
    );
    expect(v6.diagnostics).toEqual([]);
    const v7 = parseScoreResult(
      `apiVersion: score.dev/v1b1\nmetadata:\n  name: w1\ncontainers:\n  main:\n    image: x\n    volumes:\n      /data:\n        source: \${resources.res-one}\n${resOne}`,
      'score.yaml',
    );
    expect(v7.diagnostics).toEqual([]);
  });

  it.each([
    ['${metadata.owner}', "score.yaml:10:11: containers.main.variables.V: ${metadata.owner} does not resolve: metadata has no key 'owner'"],
    ['${metadata.team.lead}', "score.yaml:10:11: containers.main.variables.V: ${metadata.team.lead} does not resolve: metadata.team is not a map"],
    ['${metadata.labels.tier}', "score.yaml:10:11: containers.main.variables.V: ${metadata.labels.tier} does not resolve: metadata.labels has no key 'tier'"],
  ])('reports %s missing from the metadata, with line and column', (value, expected) => {
    const { diagnostics } = parseScoreResult(
      `apiVersion: score.dev/v1b1\nmetadata:\n  name: w1\n  team: shop\n  labels: {app: w1}\ncontainers:\n  main:\n    image: x\n    variables:\n      V: "${value}"\n`,
      'score.yaml',
    );
    expect(diagnostics.map(d => `${d.file}:${d.line}:${d.column}: ${d.path}: ${d.message}`)).toEqual([expected]);
  });

  it('points each placeholder problem at its placeholder, not at the start of the value', () => {
    const { diagnostics } = parseScoreResult(
      'apiVersion: score.dev/v1b1\nmetadata:\n  name: w1\ncontainers:\n  main:\n    image: x\n    variables:\n      V: "pre ${resources.nope.host} ${foo.bar} ${bad} ${metadata.owner}"\n',
      'score.yaml',
    );
    expect(diagnostics.map(d => `${d.line}:${d.column}: ${d.message.split(' ')[0]}`).sort()).toEqual([
      '8:15: ${resources.nope.host}',
      '8:38: ${foo.bar}',
      '8:49: ${bad}',
      '8:56: ${metadata.owner}',
    ]);
  });

  it.each([
    ['some-volume', []],
    ['${resources.data}', []],
    ['data', ["'data' would be a PersistentVolumeClaim of that name, not the resource 'data': write ${resources.data}"]],
    ['resources.data', ["'resources.data' would be a PersistentVolumeClaim of that name, not the resource 'data': write ${resources.data}"]],
    ['Data_Volume', ["'Data_Volume' is not a PersistentVolumeClaim name (lowercase RFC 1123 subdomain): use ${resources.<name>} of a volume resource, or the name of an existing PersistentVolumeClaim"]],
    ['${resources.data.source}', ["'${resources.data.source}' is not a volume source: use ${resources.<name>} of a volume resource, or the name of an existing PersistentVolumeClaim"]],
  ])('volume source %s', (source, expected) => {
    const { diagnostics } = parseScoreResult(
      `apiVersion: score.dev/v1b1\nmetadata:\n  name: w1\ncontainers:\n  main:\n    image: x\n    volumes:\n      /data:\n        source: "${source}"\nresources:\n  data:\n    type: volume\n`,
      'score.yaml',
    );
    expect(diagnostics.map(d => d.message)).toEqual(expected);
  });

  it('upgrades the deprecated array forms of files and volumes', () => {
    const workload = parseScore(
      `apiVersion: score.dev/v1b1
metadata:
  name: w1
containers:
  main:
    image: x
    files:
      - target: /etc/a.conf
        content:
          - line one
          - line two
    volumes:
      - target: /data
        source: \${resources.vol}
        read_only: true
resources:
  vol:
    type: volume
`,
      'score.yaml',
    );
    expect(workload.containers.main.files).toEqual({ '/etc/a.conf': { content: 'line one\nline two' } });
    expect(workload.containers.main.volumes).toEqual({ '/data': { source: '${resources.vol}', readOnly: true } });
  });

  it('reports YAML syntax errors and probes and files without their required choice', () => {
    const syntax = parseScoreResult('apiVersion: score.dev/v1b1\nmetadata: [\n', 'bad.yaml');
    expect(syntax.diagnostics[0]).toMatchObject({ file: 'bad.yaml', line: expect.any(Number), message: expect.stringMatching(/^invalid YAML/) });

    const { diagnostics } = parseScoreResult(
      `apiVersion: score.dev/v1b1
metadata:
  name: w1
containers:
  main:
    image: x
    files:
      /a:
        mode: "0644"
    readinessProbe: {}
`,
      'score.yaml',
    );
    expect(diagnostics.map(d => `${d.path}: ${d.message}`)).toEqual([
      'containers.main.files./a: needs exactly one of content, binaryContent or source',
      'containers.main.readinessProbe: needs httpGet or exec',
    ]);
  });

  it('finds cycles in before', () => {
    const { diagnostics } = parseScoreResult(
      `apiVersion: score.dev/v1b1
metadata:
  name: w1
containers:
  aa:
    image: x
    before:
      bb: { ready: complete }
  bb:
    image: y
    before:
      aa: { ready: started }
`,
      'score.yaml',
    );
    expect(diagnostics.map(d => d.message)).toEqual([
      'containers before relationships contain a cycle: aa → bb → aa',
    ]);
  });

  it('validates parsed objects from JSON, naming the field', () => {
    expect(
      validateScoreWorkload({ apiVersion: 'score.dev/v1b1', metadata: { name: 'ok' }, containers: {} }, 'api'),
    ).toEqual([{ file: 'api', path: 'containers', message: 'needs at least one entry' }]);
  });
});
