import { validateKubernetesObject } from './validateKubernetesObject';

function deployment(name: string, container: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { [`team-${name}`]: 'a', app: name }, annotations: { [`note.${name}`]: 'x' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: 'main', image: `registry.example.com/${name}:1`, env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 8080 }] },
            { name: 'side', image: 'proxy:1', ...container },
          ],
        },
      },
      ...extra,
    },
  };
}

/** The same validation in a module that has seen no object before. */
function validateFresh(object: unknown): ReturnType<typeof validateKubernetesObject> {
  let result: ReturnType<typeof validateKubernetesObject> = [];
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fresh = require('./validateKubernetesObject') as typeof import('./validateKubernetesObject');
    result = fresh.validateKubernetesObject(object, 'app.yaml');
  });
  return result;
}

describe('validateKubernetesObject', () => {
  it('reports the same problems for objects of a kind it has validated many of as for the first one', () => {
    for (let i = 0; i < 20; i++) expect(validateKubernetesObject(deployment(`web-${i}`), 'app.yaml')).toEqual([]);
    for (let i = 0; i < 5; i++) {
      expect(validateKubernetesObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}` }, spec: { ports: [{ port: 80 }] } })).toEqual([]);
    }

    const cases = [
      deployment('other-labels'),
      // An unknown field where earlier objects had the same map.
      deployment('typo', { imagePullPolcy: 'Always' }),
      // An unknown field in a map no earlier object had.
      deployment('volume', {}, { template: { spec: { containers: [{ name: 'm', image: 'i' }], volumes: [{ name: 'v', emptyDir: { fruit: 1 } }] } } }),
      // A wrong type and an unknown field together.
      deployment('wrong', { imagePullPolcy: 'Always' }, { replicas: 'two' }),
      deployment('top', {}, { fruit: 'apple' }),
      deployment('extension', {}, { 'x-kubernetes-note': 'kept' }),
      deployment('secret-ref', { env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 's', key: 'k', fruit: 1 } } }] }),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { ports: [{ port: 80, portt: 81 }] } },
    ];
    for (const object of cases) {
      expect({ name: object.metadata.name, problems: validateKubernetesObject(object, 'app.yaml') }).toEqual({
        name: object.metadata.name,
        problems: validateFresh(object),
      });
    }

    expect(validateKubernetesObject(cases[1], 'app.yaml')).toEqual([
      {
        file: 'app.yaml',
        path: 'spec.template.spec.containers.1.imagePullPolcy',
        message: "Deployment typo: spec.template.spec.containers.1.imagePullPolcy: unknown field 'imagePullPolcy'",
      },
    ]);
    expect(validateKubernetesObject(cases[2], 'app.yaml').map(p => p.path)).toEqual(['spec.template.spec.volumes.0.emptyDir.fruit']);
    expect(validateKubernetesObject(cases[6], 'app.yaml').map(p => p.path)).toEqual([
      'spec.template.spec.containers.1.env.0.valueFrom.secretKeyRef.fruit',
    ]);
    expect(validateKubernetesObject(cases[7]).map(p => p.message)).toEqual(["Service svc: spec.ports.0.portt: unknown field 'portt'"]);
  });
});
