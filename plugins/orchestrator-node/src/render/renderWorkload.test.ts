import { ScoreWorkload, ValidationError } from '@baton/backstage-plugin-orchestrator-common';
import { renderWorkload } from './renderWorkload';

const workload: ScoreWorkload = {
  apiVersion: 'score.dev/v1b1',
  metadata: { name: 'web', annotations: { 'team.example.com/owner': 'shop' } },
  service: { ports: { http: { port: 80, targetPort: 8080 } } },
  containers: {
    migrate: { image: 'migrate:1', before: { main: { ready: 'complete' } } },
    main: {
      image: 'web:1',
      command: ['/bin/web'],
      args: ['--port', '${NOT_EXPANDED}'],
      variables: {
        DB_HOST: '${resources.db.host}',
        DB_URL: 'postgres://${resources.db.username}:${resources.db.password}@${resources.db.host}/app',
        NAME: '${metadata.name}',
      },
      files: {
        '/etc/app.conf': { content: 'host=${resources.db.host}', mode: '0600' },
        '/etc/secret.conf': { content: 'password=${resources.db.password}' },
        '/etc/raw': { content: '${untouched}', noExpand: true },
        '/etc/logo.png': { binaryContent: 'iVBORw0KGgo=' },
      },
      volumes: { '/data': { source: '${resources.data}', readOnly: true } },
      resources: { limits: { memory: '256Mi', cpu: '500m' }, requests: { cpu: '100m' } },
      livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
      readinessProbe: { exec: { command: ['/bin/ready'] } },
    },
  },
  resources: { db: { type: 'postgres' }, data: { type: 'volume' } },
};

const resources = {
  db: { outputs: { host: 'pg.internal', username: 'app' }, secrets: { password: 'pa55w0rd-secret' } },
  data: { outputs: { source: { emptyDir: {} } } },
};

function render(overrides: Partial<Parameters<typeof renderWorkload>[0]> = {}) {
  return renderWorkload({
    document: { file: 'web/score.yaml', workload },
    app: 'shop',
    env: 'dev',
    namespace: 'shop-dev',
    resources,
    ...overrides,
  });
}

describe('renderWorkload', () => {
  it('renders a Deployment, Service, ConfigMap and Secret with secrets only in the Secret', () => {
    const objects = render({ entityName: 'shop-web' });
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Secret/web-secrets',
      'ConfigMap/web-files',
      'Deployment/web',
      'Service/web',
    ]);
    const [secret, configMap, deployment, service] = objects as any[];

    // The plain secret value appears nowhere but base64 in the Secret.
    const plain = JSON.stringify(objects.filter(o => o.kind !== 'Secret'));
    expect(plain).not.toContain('pa55w0rd-secret');
    expect(Buffer.from(secret.data['main.DB_URL'], 'base64').toString()).toBe('postgres://app:pa55w0rd-secret@pg.internal/app');

    const pod = deployment.spec.template.spec;
    const main = pod.containers.find((c: any) => c.name === 'main');
    expect(main.env).toEqual([
      { name: 'DB_HOST', value: 'pg.internal' },
      { name: 'DB_URL', valueFrom: { secretKeyRef: { name: 'web-secrets', key: 'main.DB_URL' } } },
      { name: 'NAME', value: 'web' },
    ]);
    expect(main.args).toEqual(['--port', '${NOT_EXPANDED}']);
    expect(main.resources).toEqual({ limits: { memory: '256Mi', cpu: '500m' }, requests: { cpu: '100m' } });
    expect(main.livenessProbe).toEqual({ httpGet: { path: '/healthz', port: 8080 } });
    expect(main.readinessProbe).toEqual({ exec: { command: ['/bin/ready'] } });
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['migrate']);

    expect(configMap.data).toEqual({ 'main-0': 'host=pg.internal', 'main-2': '${untouched}' });
    expect(configMap.binaryData).toEqual({ 'main-3': 'iVBORw0KGgo=' });
    expect(pod.volumes).toContainEqual({ name: 'file-main-0', configMap: { name: 'web-files', items: [{ key: 'main-0', path: 'file', mode: 0o600 }] } });
    expect(pod.volumes).toContainEqual({ name: 'file-main-1', secret: { secretName: 'web-secrets', items: [{ key: 'main-1', path: 'file' }] } });
    expect(pod.volumes).toContainEqual({ name: 'volume-main-0', emptyDir: {} });
    expect(main.volumeMounts).toContainEqual({ name: 'volume-main-0', mountPath: '/data', readOnly: true });

    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }]);
    expect(deployment.metadata.namespace).toBe('shop-dev');
    expect(deployment.metadata.labels['backstage.io/kubernetes-id']).toBe('shop-web');
    expect(deployment.metadata.annotations['team.example.com/owner']).toBe('shop');
  });

  it('merges the workload definition manifests and validates them', () => {
    const objects = render({
      manifests: {
        sidecar: { location: 'containers', data: { name: 'proxy', image: 'envoy:1' } },
        pdb: {
          location: 'namespace',
          data: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { minAvailable: 1 } },
        },
      },
    });
    const deployment = objects.find(o => o.kind === 'Deployment') as any;
    expect(deployment.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['main', 'proxy']);
    expect(objects.find(o => o.kind === 'PodDisruptionBudget')?.metadata.namespace).toBe('shop-dev');

    expect(() =>
      render({
        manifests: {
          bad: { location: 'namespace', data: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { ports: [{ port: 'eighty' }] } } },
        },
      }),
    ).toThrow(/Service x: spec\.ports\.0\.port: must be integer/);
  });

  it('reports every unresolvable placeholder with the field and workload file', () => {
    let error: ValidationError | undefined;
    try {
      render({ resources: { data: resources.data, db: { outputs: {} } } });
    } catch (e) {
      error = e as ValidationError;
    }
    expect(error?.diagnostics.map(d => `${d.file} ${d.path}: ${d.message}`)).toEqual([
      "web/score.yaml containers.main.variables.DB_HOST: invalid ref 'resources.db.host': key 'host' not found",
      "web/score.yaml containers.main.variables.DB_URL: invalid ref 'resources.db.username': key 'username' not found",
      "web/score.yaml containers.main.variables.DB_URL: invalid ref 'resources.db.password': key 'password' not found",
      "web/score.yaml containers.main.variables.DB_URL: invalid ref 'resources.db.host': key 'host' not found",
      "web/score.yaml containers.main.files./etc/app.conf.content: invalid ref 'resources.db.host': key 'host' not found",
      "web/score.yaml containers.main.files./etc/secret.conf.content: invalid ref 'resources.db.password': key 'password' not found",
    ]);
  });

  it('needs a volume source from a volume resource', () => {
    expect(() => render({ resources: { ...resources, data: { outputs: {} } } })).toThrow(
      "${resources.data}: the resource's outputs have no 'source'",
    );
  });
});

describe('renderWorkload refuses what Kubernetes or score-k8s would', () => {
  const messagesOf = (fn: () => unknown): string[] => {
    try {
      fn();
    } catch (e) {
      return (e as ValidationError).diagnostics.map(d => `${d.path}: ${d.message}`);
    }
    return [];
  };
  const withContainer = (container: Partial<ScoreWorkload['containers'][string]>): ScoreWorkload => ({
    apiVersion: 'score.dev/v1b1',
    metadata: { name: 'web' },
    containers: { main: { image: 'web:1', ...container } },
    resources: { data: { type: 'volume' } },
  });

  it.each([
    [
      'image . (no image given)',
      withContainer({ image: '.' }),
      {},
      "containers.main.image: container 'main' has no image ('.' and no image given to render): set containers.main.image to a container image",
    ],
    [
      'an unknown field in a volume source from a resource',
      withContainer({ volumes: { '/data': { source: '${resources.data}' } } }),
      { data: { outputs: { source: { emptyDir: { fruit: 'banana' } } }, definition: 'scratch-volume' } },
      "spec.template.spec.volumes.0.emptyDir.fruit: Deployment web: spec.template.spec.volumes.0.emptyDir.fruit: unknown field 'fruit' (from resource data (definition scratch-volume))",
    ],
    [
      'an empty volume source',
      withContainer({ volumes: { '/data': { source: '${resources.data}' } } }),
      { data: { outputs: { source: {} } } },
      "containers.main.volumes./data.source: ${resources.data}: the resource's 'source' output is empty: it must name a Kubernetes volume source such as {emptyDir: {}}",
    ],
  ])('%s', (_case, score, outputs, expected) => {
    expect(messagesOf(() => render({ document: { file: 'web/score.yaml', workload: score }, resources: outputs }))).toEqual([expected]);
  });

  it("gives containers written 'image: .' the image given to render", () => {
    const [deployment] = render({ document: { file: 'web/score.yaml', workload: withContainer({ image: '.' }) }, resources: {}, image: 'registry.example.com/web:42' }) as any[];
    expect(deployment.spec.template.spec.containers[0].image).toBe('registry.example.com/web:42');
  });

  it('names the workload definition whose manifests have unknown fields', () => {
    expect(
      messagesOf(() =>
        render({
          workloadDefinition: 'web-with-proxy',
          manifests: {
            sidecar: { location: 'containers', data: { name: 'proxy', image: 'envoy:1', imagePullPolcy: 'Always' } },
            pdb: {
              location: 'namespace',
              data: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { minAvailble: 1 } },
            },
          },
        }),
      ),
    ).toEqual([
      "spec.template.spec.containers.1.imagePullPolcy: Deployment web: spec.template.spec.containers.1.imagePullPolcy: unknown field 'imagePullPolcy' (from workload definition web-with-proxy, manifest sidecar)",
      "spec.minAvailble: PodDisruptionBudget web: spec.minAvailble: unknown field 'minAvailble' (from workload definition web-with-proxy, manifest pdb)",
    ]);
  });

  it('gives the line and column of each placeholder that does not resolve', () => {
    const text = [
      'apiVersion: score.dev/v1b1',
      'metadata:',
      '  name: web',
      'containers:',
      '  main:',
      '    image: web:1',
      '    variables:',
      '      OWNER: "team ${metadata.owner}"',
      '      DB: postgres://${resources.db.user}@${resources.db.host}',
      '    files:',
      '      /etc/app.conf:',
      '        content: |',
      '          first line',
      '          host=${resources.db.port}',
      'resources:',
      '  db:',
      '    type: postgres',
    ].join('\n');
    const score: ScoreWorkload = {
      apiVersion: 'score.dev/v1b1',
      metadata: { name: 'web' },
      containers: {
        main: {
          image: 'web:1',
          variables: { OWNER: 'team ${metadata.owner}', DB: 'postgres://${resources.db.user}@${resources.db.host}' },
          files: { '/etc/app.conf': { content: 'first line\nhost=${resources.db.port}\n' } },
        },
      },
      resources: { db: { type: 'postgres' } },
    };
    let error: ValidationError | undefined;
    try {
      render({ document: { file: 'web/score.yaml', workload: score, text }, resources: { db: { outputs: { user: 'app' } } } });
    } catch (e) {
      error = e as ValidationError;
    }
    expect(error?.diagnostics.map(d => `${d.file}:${d.line}:${d.column}: ${d.message}`)).toEqual([
      "web/score.yaml:8:20: invalid ref 'metadata.owner': key 'owner' not found",
      "web/score.yaml:9:43: invalid ref 'resources.db.host': key 'host' not found",
      "web/score.yaml:14:16: invalid ref 'resources.db.port': key 'port' not found",
    ]);
  });
});
