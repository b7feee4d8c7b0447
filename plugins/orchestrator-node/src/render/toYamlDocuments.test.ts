import { dump } from 'js-yaml';
import { KubernetesObject } from './validateKubernetesObject';
import { toYamlDocuments } from './toYamlDocuments';

/** What every delivered file held before: js-yaml's dump of each object. */
function jsYamlDocuments(objects: KubernetesObject[]): string {
  return objects
    .map(({ apiVersion, kind, metadata, ...rest }) =>
      dump({ apiVersion, kind, metadata, ...rest }, { noRefs: true, lineWidth: -1, sortKeys: false }),
    )
    .join('---\n');
}

/** A small seeded generator, so a failure names a case that can be run again. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T,>(items: readonly T[]) => items[int(items.length)];
  return { next, int, pick };
}

/** Strings whose YAML text needs care: quoting, types they could be read as, block text. */
const TRICKY = [
  '', ' ', 'a', 'y', 'N', 'yes', 'Off', 'true', 'False', 'null', '~', 'NULL', '0', '08', '0x1F', '0o17', '1_000', '+1', '-1', '1.5',
  '.5', '1e3', '.inf', '-.Inf', '.NaN', '12:30', '1:2:3.5', '2024-01-02', '2024-01-02T03:04:05Z', '<<', '-', '- a', '-a', '?', '? a',
  ':', 'a:', 'a: b', 'a:b', 'a :b', '#', 'a #b', 'a#b', '&a', '*a', '!a', '|', '>', "'", '"', "it's", 'say "hi"', '%x', '@x', '`x',
  ',x', '[x]', '{x}', 'x,y', 'x]', 'a b', ' a', 'a ', 'a\tb', '\t', 'a\nb', 'a\n', '\n', '\n\n', 'a\n\n', ' a\nb', '\n a', 'a\n b\n',
  'line one\nline two\n', 'x\r\ny', 'é', 'naïve', '日本', '😀', '\u0085', '\u00a0', '\u2028', '\ufeff', '\ud800', 'a\u0000b', '\u007f',
  'postgres://user:pass@host:5432/db', 'registry.example.com/svc-1:1.0.0', '${resources.db.host}', '/health', '8080', 'http',
  'app.kubernetes.io/name', 'x'.repeat(1100),
] as const;

const CHARS = 'ab:# -?\'"\n\t{}[],|>@`%&*!=é😀0129.+_~';

function randomString(r: ReturnType<typeof random>): string {
  if (r.next() < 0.5) return r.pick(TRICKY);
  let s = '';
  const length = r.int(12);
  for (let i = 0; i < length; i++) s += [...CHARS][r.int([...CHARS].length)];
  return s;
}

function randomValue(r: ReturnType<typeof random>, depth: number): unknown {
  const roll = r.next();
  if (depth > 0 && roll < 0.25) {
    const map: Record<string, unknown> = {};
    const size = r.int(5);
    for (let i = 0; i < size; i++) map[randomString(r)] = randomValue(r, depth - 1);
    return map;
  }
  if (depth > 0 && roll < 0.45) return Array.from({ length: r.int(4) }, () => randomValue(r, depth - 1));
  if (roll < 0.75) return randomString(r);
  return r.pick([0, 1, -1, 42, 8080, 1.5, -0.25, -0, NaN, Infinity, -Infinity, 1e21, 2 ** 53, true, false, null, undefined]);
}

describe('toYamlDocuments', () => {
  it('writes rendered objects as before: Deployment, Service, Secret, ConfigMap with a file', () => {
    const objects: KubernetesObject[] = [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 'web' }, annotations: { 'baton.dev/checksum': '0123abc' } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              containers: [
                {
                  name: 'main',
                  image: 'registry.example.com/web:1.0.0',
                  args: ['--port', '8080', '-v'],
                  env: [
                    { name: 'PORT', value: '8080' },
                    { name: 'DEBUG', value: 'yes' },
                    { name: 'GREETING', value: 'hello: world # not a comment' },
                    { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'web-secrets', key: 'DB_PASSWORD' } } },
                  ],
                  ports: [{ containerPort: 8080, protocol: 'TCP' }],
                  resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: {} },
                  volumeMounts: [],
                },
              ],
            },
          },
        },
      },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-files' }, data: { 'app.conf': 'listen 8080\n\n  indented\nlast\n', empty: '' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web-secrets' }, type: 'Opaque', stringData: { DB_PASSWORD: 'p@ss: w0rd' } },
    ];
    const text = toYamlDocuments(objects);
    expect(text).toBe(jsYamlDocuments(objects));
    expect(text).toContain('      containers:\n        - name: main\n          image: registry.example.com/web:1.0.0\n');
    expect(text).toContain("          env:\n            - name: PORT\n              value: '8080'\n");
    expect(text).toContain('  app.conf: |\n    listen 8080\n\n      indented\n    last\n');
  });

  it('writes the same text as js-yaml for thousands of generated documents', () => {
    const differing: string[] = [];
    for (let seed = 1; seed <= 3000; seed++) {
      const r = random(seed);
      const rest: Record<string, unknown> = {};
      const size = 1 + r.int(5);
      for (let i = 0; i < size; i++) rest[randomString(r)] = randomValue(r, 4);
      const objects = [{ apiVersion: 'v1', kind: r.pick(['ConfigMap', 'Thing']), metadata: { name: randomString(r) }, ...rest }] as KubernetesObject[];
      const expected = jsYamlDocuments(objects);
      const actual = toYamlDocuments(objects);
      if (actual !== expected) differing.push(`seed ${seed}: ${JSON.stringify(objects)}\nexpected:\n${expected}\nactual:\n${actual}`);
    }
    expect(differing.slice(0, 3)).toEqual([]);
  });

  it('leaves values that are not plain data to js-yaml, errors included', () => {
    const dated = [{ apiVersion: 'v1', kind: 'Thing', metadata: { name: 'a' }, at: new Date(0) }] as KubernetesObject[];
    expect(toYamlDocuments(dated)).toBe(jsYamlDocuments(dated));
    const withFunction: KubernetesObject[] = [{ apiVersion: 'v1', kind: 'Thing', metadata: { name: 'a' }, run: () => 1 }];
    expect(() => toYamlDocuments(withFunction)).toThrow(/unacceptable kind of an object/);
  });
});
