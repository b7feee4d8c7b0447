import { LoadedDefinition, ScoreDocument, ScoreWorkload } from '@baton/backstage-plugin-orchestrator-common';
import { DefinitionIndex } from '../matching';
import { buildResourceGraph } from './ResourceGraph';
import { diffGraphViews, graphViewOf, GraphView, workloadUsers } from './graphViews';

function def(id: string, type: string, spec: Partial<LoadedDefinition['definition']['spec']> = {}): LoadedDefinition {
  return {
    definition: { apiVersion: 'baton.dev/v1', kind: 'ResourceDefinition', metadata: { id }, spec: { type, driver: 'echo', criteria: [{}], ...spec } },
  };
}

function workload(name: string, resources: ScoreWorkload['resources'] = {}): ScoreDocument {
  return { file: `${name}.yaml`, workload: { apiVersion: 'score.dev/v1b1', metadata: { name }, containers: { main: { image: 'x' } }, resources } };
}

const definitions = [
  def('pg', 'postgres'),
  // A route reads its dns: the dns is used by whoever uses the route.
  def('route', 'route', { driverInputs: { values: { host: '${resources.dns.outputs.host}' } } }),
  def('dns', 'dns'),
];

function graphOf(workloads: ScoreDocument[]) {
  return buildResourceGraph({ app: 'shop', env: 'dev', envType: 'development', workloads, index: new DefinitionIndex(definitions) });
}

describe('workloadUsers', () => {
  const graph = graphOf([
    workload('web', { db: { type: 'postgres', id: 'main' }, route: { type: 'route' } }),
    workload('worker', { db: { type: 'postgres', id: 'main' } }),
  ]);
  const users = workloadUsers(graph);

  it.each([
    ['a shared resource lists every workload declaring it', 'postgres.default#shared.main', ['web', 'worker']],
    ['a private resource lists its workload', 'route.default#modules.web.externals.route', ['web']],
    ['a resource reached through another resource lists the workload at the top', 'dns.default#modules.web.externals.route', ['web']],
    ['the namespace is used by every workload', 'k8s-namespace.default#k8s-namespace', ['web', 'worker']],
    ['a workload uses itself', 'workload.default#modules.web', ['web']],
  ])('%s', (_, uid, expected) => {
    expect(users.get(uid)).toEqual(expected);
  });
});

describe('diffGraphViews', () => {
  const view = (nodes: [string, string][]): GraphView => ({
    hash: nodes.map(n => n.join('=')).join(','),
    nodes: nodes.map(([uid, definition]) => ({ uid, resId: uid, type: 't', class: 'default', definition, criterion: {}, dependsOn: [] })),
  });

  it.each([
    ['first deployment: everything is added', undefined, view([['a', 'd1']]), { added: ['a'], removed: [], changed: [] }],
    ['nothing changed', view([['a', 'd1']]), view([['a', 'd1']]), { added: [], removed: [], changed: [] }],
    ['a node left, another came', view([['a', 'd1']]), view([['b', 'd1']]), { added: ['b'], removed: ['a'], changed: [] }],
    ['a node matched another definition', view([['a', 'd1']]), view([['a', 'd2']]), { added: [], removed: [], changed: [{ uid: 'a', from: 'd1', to: 'd2' }] }],
  ])('%s', (_, before, after, expected) => {
    expect(diffGraphViews(before, after)).toEqual(expected);
  });

  it('views a graph with its hash, definitions and dependencies', () => {
    const graph = graphOf([workload('web', { db: { type: 'postgres' } })]);
    const v = graphViewOf(graph);
    expect(v.hash).toBe(graph.hash);
    expect(v.nodes.find(n => n.type === 'workload')).toMatchObject({
      uid: 'workload.default#modules.web',
      dependsOn: expect.arrayContaining(['postgres.default#modules.web.externals.db', 'k8s-namespace.default#k8s-namespace']),
    });
    expect(v.nodes.find(n => n.type === 'postgres')).toMatchObject({ definition: 'pg', criterion: {} });
  });
});
