import { DriverContext } from '../types';
import { createTemplateDriver } from './templateDriver';

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
