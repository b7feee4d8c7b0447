import {
  checkDefinitionConflicts,
  LoadedDefinition,
  parseResourceDefinitions,
  parseScore,
  resourceVariables,
  ScoreDocument,
  typesWithConventionalVariables,
} from '@baton/backstage-plugin-orchestrator-common';
import fs from 'node:fs';
import path from 'node:path';
import { planApplication } from './plan';
import { renderApplication } from './render';

// The examples a new user starts from must load, plan and render.
const root = path.resolve(__dirname, '../../..');
const examples = path.join(root, 'examples');

function yamlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(e => e.isFile() && /\.ya?ml$/.test(e.name))
    .map(e => path.join(e.parentPath, e.name))
    .sort();
}

function load(dir: string): LoadedDefinition[] {
  return yamlFiles(path.join(examples, 'definitions', dir)).flatMap(file =>
    parseResourceDefinitions(fs.readFileSync(file, 'utf8'), file),
  );
}

function score(file: string): ScoreDocument {
  return { file, workload: parseScore(fs.readFileSync(file, 'utf8'), file) };
}

const shop = ['web', 'worker', 'api'].map(name => score(path.join(examples, 'score/shop', `${name}.yaml`)));

describe('example definitions', () => {
  it.each(['common', 'development', 'staging', 'production'])('%s/ parses without diagnostics', dir => {
    expect(load(dir).length).toBeGreaterThan(0);
  });

  it('have no conflicts across all folders', () => {
    const all = ['common', 'development', 'staging', 'production'].flatMap(load);
    expect(checkDefinitionConflicts(all)).toEqual([]);
  });

  it('have one file per resource type in development, each only for development and its previews', () => {
    for (const loaded of load('development')) {
      expect(path.basename(loaded.file!, '.yaml')).toBe(loaded.definition.spec.type);
      const envTypes = (loaded.definition.spec.criteria ?? []).map(c => c.envType);
      expect(envTypes).toContain('development');
      for (const envType of envTypes) expect(['development', 'preview']).toContain(envType);
    }
  });

  it('never put a secret-looking key into plain outputs', () => {
    const all = ['common', 'development', 'staging', 'production'].flatMap(load);
    for (const { definition } of all) {
      const values = definition.spec.driverInputs?.values ?? {};
      const plain = Object.keys(values).filter(k => /password|secret/i.test(k));
      expect({ id: definition.metadata.id, plain }).toEqual({ id: definition.metadata.id, plain: [] });
      const outputs = (values.templates as Record<string, string> | undefined)?.outputs ?? '';
      expect({ id: definition.metadata.id, leaks: /password|secret/i.test(outputs) }).toEqual({
        id: definition.metadata.id,
        leaks: false,
      });
    }
  });
});

describe('the example shop app', () => {
  it.each([
    ['dev', 'development', 'postgres-dev', 'postgres-dev-large'],
    ['qa', 'staging', 'postgres-staging', 'postgres-qa-large'],
    ['staging', 'staging', 'postgres-staging', 'postgres-staging-large'],
    ['prod', 'production', 'postgres-shop-main-db', 'postgres-production-large'],
  ])('plans in %s (%s)', async (env, envType, mainDb, reports) => {
    const definitions = ['common', 'development', 'staging', 'production'].flatMap(load);
    const { plan } = await planApplication({ app: 'shop', env, envType, workloads: shop, definitions });
    expect(plan.nodes.filter(n => n.status === 'failed')).toEqual([]);
    const byUid = new Map(plan.nodes.map(n => [n.uid, n]));
    // web and worker share one database node through `id: main-db`.
    expect(byUid.get('postgres.default#shared.main-db')?.definition).toBe(mainDb);
    expect(plan.nodes.filter(n => n.type === 'postgres').map(n => n.uid).sort()).toEqual([
      'postgres.default#shared.main-db',
      'postgres.large#modules.api.externals.reports',
    ]);
    expect(byUid.get('postgres.large#modules.api.externals.reports')?.definition).toBe(reports);
  });

  it('resolves every placeholder against the development set', async () => {
    const planned = await planApplication({ app: 'shop', env: 'dev', envType: 'development', workloads: shop, definitions: load('development') });
    const outputs = new Map(planned.plan.nodes.map(n => [n.uid, n]));
    expect(outputs.get('service.default#modules.api.externals.web')?.outputs).toEqual({ name: 'web' });
    expect(outputs.get('postgres.default#shared.main-db')?.secretOutputs).toEqual(['password']);
    expect(String(outputs.get('dns.default#modules.web.externals.dns')?.outputs.host)).toMatch(/^[0-9a-f]{24}\.dev\.baton\.local$/);

    const rendered = renderApplication(planned);
    expect(Object.keys(rendered.workloads).sort()).toEqual(['api', 'web', 'worker']);
    expect(rendered.resources.map(o => o.kind).sort()).toEqual(['HTTPRoute', 'Service', 'StatefulSet']);
    const web = JSON.stringify(rendered.workloads.web);
    expect(web).not.toContain('dev-only-postgres-password');
    expect(web).toContain('secretKeyRef');
  });
});

describe('conventional container variables', () => {
  it.each(typesWithConventionalVariables)('of %s resolve against the development definitions, secrets only as references', async type => {
    const variables = resourceVariables(type, 'dep');
    const text = JSON.stringify({
      apiVersion: 'score.dev/v1b1',
      metadata: { name: 'svc' },
      containers: { main: { image: 'svc:1', variables } },
      resources: { dep: { type } },
    });
    const planned = await planApplication({
      app: 'demo',
      env: 'dev',
      envType: 'development',
      workloads: [{ file: 'score.yaml', workload: parseScore(text, 'score.yaml') }],
      definitions: load('development'),
    });
    expect(planned.plan.nodes.filter(n => n.status === 'failed')).toEqual([]);
    const container = (renderApplication(planned).workloads.svc.find(o => o.kind === 'Deployment') as any).spec.template.spec.containers[0];
    const env = new Map<string, { value?: string; valueFrom?: unknown }>(container.env.map((e: any) => [e.name, e]));
    expect([...env.keys()].sort()).toEqual(Object.keys(variables).sort());
    for (const [name, entry] of env) {
      // Every placeholder resolved: no ${...} left, and a value that holds a secret is a reference.
      expect({ name, value: entry.value ?? '' }).not.toEqual({ name, value: expect.stringContaining('${') });
      expect(entry.value ?? '').not.toMatch(/dev-only/);
    }
  });
});
