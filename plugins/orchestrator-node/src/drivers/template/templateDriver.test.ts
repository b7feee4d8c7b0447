import { execFileSync } from 'node:child_process';
import { DriverContext } from '../types';
import { createTemplateDriver } from './templateDriver';

// Templates render in child processes: starting one, or filling its memory, takes seconds on a busy machine.
jest.setTimeout(30_000);

function ctx(templates: Record<string, string>, extra: Partial<DriverContext> = {}): DriverContext {
  return {
    guresid: 'abc123',
    resource: { uid: 'dns.default#modules.web.externals.dns', type: 'dns', class: 'default', resId: 'modules.web.externals.dns', params: { host: 'shop' } },
    context: { app: { id: 'shop' }, env: { id: 'dev', type: 'development' } },
    inputs: { templates, domain: 'example.com' },
    secrets: { apiKey: 'k3y' },
    signal: new AbortController().signal,
    logger: { info() {}, warn() {}, error() {}, debug() {} },
    ...extra,
  };
}

describe('template driver', () => {
  const driver = createTemplateDriver();

  it('renders init, outputs, secrets, manifests and cookie in order, each seeing the earlier ones', async () => {
    const result = await driver.provision(
      ctx({
        init: 'name: {{ resource.params.host }}-{{ context.env.id }}',
        outputs: 'host: {{ init.name }}.{{ driver.values.domain }}\nid: {{ id }}',
        secrets: 'token: "{{ driver.secrets.apiKey }}-{{ outputs.host }}"',
        manifests: `route:
  location: namespace
  data:
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: { name: "{{ init.name }}" }
    spec: { hostnames: ["{{ outputs.host }}"] }`,
        cookie: 'created: {{ outputs.host }}',
      }),
    );
    expect(result.outputs).toEqual({ host: 'shop-dev.example.com', id: 'abc123' });
    expect(result.secrets).toEqual({ token: 'k3y-shop-dev.example.com' });
    expect(result.cookie).toEqual({ created: 'shop-dev.example.com' });
    expect(result.manifests?.route).toEqual({
      location: 'namespace',
      data: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'shop-dev' },
        spec: { hostnames: ['shop-dev.example.com'] },
      },
    });
  });

  it('names the section and line of template and YAML errors', async () => {
    await expect(driver.provision(ctx({ outputs: 'a: 1\nb: {{ (1,2' }))).rejects.toThrow(/^template 'outputs': at line 2/);
    await expect(driver.provision(ctx({ outputs: 'a: [1' }))).rejects.toThrow(/^template 'outputs' rendered invalid YAML/);
    await expect(driver.provision(ctx({ outputs: '- a\n- b' }))).rejects.toThrow("template 'outputs' did not render to a YAML map");
    await expect(driver.provision(ctx({ manifests: 'x: { location: somewhere, data: {} }' }))).rejects.toThrow(
      "template 'manifests': x.location must be namespace, cluster, containers or volumes",
    );
  });

  it.each([
    ['the constructor chain', 'x: {{ "".constructor.constructor("return process")() }}', /reserved/],
    ['the prototype', 'x: {{ resource.__proto__ }}', /reserved/],
  ])('refuses to reach %s', async (_what, template, message) => {
    await expect(driver.provision(ctx({ outputs: template }))).rejects.toThrow(message);
  });

  it('sees no process, require or environment', async () => {
    const result = await driver.provision(
      ctx({ outputs: 'p: "{{ process }}"\nr: "{{ require }}"\ne: "{{ env }}"\ng: "{{ global }}"' }),
    );
    expect(result.outputs).toEqual({ p: '', r: '', e: '', g: '' });
  });

  it('stops endless loops and runaway recursion with a clear error', async () => {
    await expect(
      driver.provision(ctx({ outputs: '{% for i in range(1000000000) %}{% for j in range(1000000000) %}x{% endfor %}{% endfor %}' })),
    ).rejects.toThrow(/^template 'outputs' line 1: stopped, .*work unit limit.*endless loop/);
    await expect(
      driver.provision(ctx({ outputs: '{% macro f(n) %}{{ f(n) }}{% endmacro %}x: {{ f(1) }}' })),
    ).rejects.toThrow(/nesting depth limit/);
  });
});

/** A string doubled to 2^n characters. */
const doubled = (n: number) => `{% set s = "x" %}{% for i in range(${n}) %}{% set s = s ~ s %}{% endfor %}`;

describe('template driver budgets', () => {
  it('stops a template that exhausts memory and keeps working afterwards', async () => {
    const driver = createTemplateDriver({ memoryLimitMb: 64, timeLimitMs: 20_000 });
    const hog = `${doubled(28)}{% set l = [] %}{% for i in range(8) %}{% set x = s ~ i %}{% if x < s %}{% endif %}{% set l = [l, x] %}{% endfor %}a: 1`;
    await expect(driver.provision(ctx({ outputs: hog }))).rejects.toThrow("template 'outputs' exceeded the memory limit of 64 MB");
    await expect(driver.provision(ctx({ outputs: 'a: 1' }))).resolves.toMatchObject({ outputs: { a: 1 } });
  });

  it('enforces the time limit inside a section without blocking the event loop', async () => {
    const driver = createTemplateDriver({ timeLimitMs: 300 });
    const slow = `${doubled(24)}{% for i in range(2000) %}{% if (s ~ i) < s %}{% endif %}{% endfor %}a: 1`;
    // A timer due long before the time limit: it runs before the template is stopped
    // unless rendering holds this thread until then.
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    let ticksWhenStopped = -1;
    try {
      await expect(
        driver.provision(ctx({ init: 'a: 1', outputs: slow })).finally(() => {
          ticksWhenStopped = ticks;
        }),
      ).rejects.toThrow("template 'outputs' exceeded the time limit of 300 ms");
    } finally {
      clearInterval(ticker);
    }
    expect(ticksWhenStopped).toBeGreaterThan(0);
    await expect(driver.provision(ctx({ outputs: 'a: 1' }))).resolves.toMatchObject({ outputs: { a: 1 } });
  });

  it('renders the templates queued behind a stopped one', async () => {
    const driver = createTemplateDriver({ timeLimitMs: 300 });
    const slow = `${doubled(24)}{% for i in range(2000) %}{% if (s ~ i) < s %}{% endif %}{% endfor %}a: 1`;
    const results = await Promise.allSettled(
      [slow, slow, 'n: 1', 'n: 2', 'n: 3', 'n: 4', 'n: 5', 'n: 6'].map(outputs => driver.provision(ctx({ outputs }))),
    );
    expect(results.map(r => (r.status === 'fulfilled' ? r.value.outputs : (r.reason as Error).message))).toEqual([
      "template 'outputs' exceeded the time limit of 300 ms",
      "template 'outputs' exceeded the time limit of 300 ms",
      ...[1, 2, 3, 4, 5, 6].map(n => ({ n })),
    ]);
  });

  it('fails a section whose YAML aliases expand too far', async () => {
    const levels = 'abcdefghi'.split('');
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...levels.slice(1).map((l, i) => `${l}: &${l} [${Array(9).fill(`*${levels[i]}`).join(',')}]`),
    ].join('\n');
    await expect(createTemplateDriver().provision(ctx({ outputs: bomb }))).rejects.toThrow(
      "template 'outputs' rendered YAML whose aliases expand beyond the limit of 100",
    );
    // A few aliases are fine.
    await expect(createTemplateDriver().provision(ctx({ outputs: 'a: &a [1, 2]\nb: *a' }))).resolves.toMatchObject({
      outputs: { a: [1, 2], b: [1, 2] },
    });
  });

  it('runs in a CLI process without keeping it alive', async () => {
    const { signal: _signal, logger: _logger, ...plain } = ctx({ outputs: 'a: {{ 1 + 1 }}' });
    const script = `
      const { createTemplateDriver } = require(${JSON.stringify(require.resolve('./templateDriver'))});
      const ctx = { ...${JSON.stringify(plain)}, signal: new AbortController().signal, logger: console };
      createTemplateDriver().provision(ctx).then(r => console.log(JSON.stringify(r.outputs)));
    `;
    // Killed (and failing) after the timeout if an idle worker kept it alive.
    const out = execFileSync(process.execPath, ['--require', require.resolve('@backstage/cli-node/config/nodeTransform.cjs'), '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(out.trim()).toBe('{"a":2}');
  });
});

describe('template driver secrets', () => {
  const driver = createTemplateDriver();

  it('makes an output derived from a secret a secret output, whatever filters it went through', async () => {
    const result = await driver.provision(
      ctx({
        init: 'key: "{{ driver.secrets.apiKey }}"',
        outputs: [
          'conn: "pg://u:{{ driver.secrets.apiKey }}@h"',
          'viaInit: "{{ init.key }}"',
          'upper: "{{ driver.secrets.apiKey | upper }}"',
          'size: {{ driver.secrets.apiKey | length }}',
          'host: "{{ driver.values.domain }}"',
        ].join('\n'),
        manifests: `cfg:
  location: namespace
  data: { apiVersion: v1, kind: ConfigMap, metadata: { name: cfg }, data: { host: "{{ outputs.host }}" } }`,
      }),
    );
    expect(result.outputs).toEqual({ host: 'example.com' });
    expect(result.secrets).toEqual({ conn: 'pg://u:k3y@h', viaInit: 'k3y', upper: 'K3Y', size: 3 });
  });

  it.each([
    ['a ConfigMap value', 'data: { apiVersion: v1, kind: ConfigMap, metadata: { name: c }, data: { conn: "{{ outputs.conn }}" } }', 'cfg.data.data.conn'],
    ['a Secret name', 'data: { apiVersion: v1, kind: Secret, metadata: { name: "{{ secrets.token | lower }}" }, stringData: {} }', 'cfg.data.metadata.name'],
    ['a container env value', 'location: containers\n  data: { main: { env: [{ name: K, value: "{{ driver.secrets.apiKey | replace(\'k\', \'K\') }}" }] } }', 'cfg.data.main.env.0.value'],
  ])('refuses a secret in %s of a manifest', async (_what, manifest, path) => {
    await expect(
      driver.provision(
        ctx({
          outputs: 'conn: "pg://u:{{ driver.secrets.apiKey }}@h"',
          secrets: 'token: "t0ken-{{ id }}"',
          manifests: `cfg:\n  ${manifest.startsWith('location') ? '' : 'location: namespace\n  '}${manifest}`,
        }),
      ),
    ).rejects.toThrow(`template 'manifests': ${path} derives from a secret (or is random); secret values belong in a v1 Secret's data or stringData`);
  });

  it('lets secrets into a Secret, and secret section values into its data', async () => {
    const result = await driver.provision(
      ctx({
        secrets: 'token: "t0ken-{{ id }}"',
        manifests: `s:
  location: namespace
  data:
    apiVersion: v1
    kind: Secret
    metadata: { name: creds }
    stringData: { key: "{{ driver.secrets.apiKey }}" }
    data: { token: "{{ secrets.token | upper }}" }`,
        cookie: 'key: "{{ driver.secrets.apiKey }}"',
      }),
    );
    expect(result.manifests?.s.data).toMatchObject({ stringData: { key: 'k3y' }, data: { token: 'T0KEN-ABC123' } });
    expect(result.cookie).toEqual({ key: 'k3y' });
  });

  it('refuses outputs whose keys depend on a secret', async () => {
    await expect(
      driver.provision(ctx({ outputs: '{% if driver.secrets.apiKey == "k3y" %}guess: right{% endif %}\nx: 1' })),
    ).rejects.toThrow("template 'outputs': which keys it renders depends on a secret value");
  });
});
