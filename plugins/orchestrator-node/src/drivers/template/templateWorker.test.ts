import { createTemplateRenderer, TemplateContext } from 'nunjitsu';
import { parse } from 'yaml';
import { isPlainSubstitution, parsePlainMap, renderPlainSubstitution } from './templateWorker';

/** A small deterministic generator, so that a failure can be run again. */
function random(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
}

describe('reading plain rendered YAML', () => {
  const keys = ['host', 'port', 'a-b', 'x_1', 'Name', 'true', 'Null', 'y', 'e5', 'toString', 'constructor', '__proto__', '1a', 'a b', '"q"'];
  const values = [
    'db.internal', 'svc-1', '6379', '0', '007', '1e5', '0x1F', '0o17', '1.5', '1.0.3', '-1', '+1', '123456789012345', '12345678901234567',
    'null', 'Null', 'NULL', 'nULL', '~', 'true', 'True', 'TRUE', 'tRUE', 'false', 'False', 'FALSE', 'yes', 'no', 'on', 'off', 'y', 'n',
    '.inf', '.nan', 'a:b', 'a #b', 'a b', '"quoted"', "'single'", '[1]', '{a: 1}', '&x', '*x', '!tag', '|', '>', '%x', '@x', '`x`', 'a/b', 'x.', '',
  ];

  it('reads what it accepts exactly as the yaml package does, and leaves it everything else', () => {
    const next = random(7);
    let accepted = 0;
    let declined = 0;
    for (let i = 0; i < 20_000; i++) {
      const lines = Array.from({ length: 1 + next(4) }, () => `${keys[next(keys.length)]}: ${values[next(values.length)]}`);
      const text = lines.join('\n') + (next(2) ? '\n' : '') + (next(20) === 0 ? '\n' : '');
      const plain = parsePlainMap(text);
      if (plain === undefined) {
        declined++;
        continue;
      }
      accepted++;
      const expected = parse(text, { schema: 'core', maxAliasCount: 100, logLevel: 'error' });
      expect(Object.entries(plain)).toEqual(Object.entries(expected));
    }
    expect(accepted).toBeGreaterThan(1000);
    expect(declined).toBeGreaterThan(1000);
  });

  it('reads a typical section', () => {
    expect(parsePlainMap('host: type-3-ab12.svc\nport: 6379\nname: bench-modules.svc-1.externals.cache\n')).toEqual({
      host: 'type-3-ab12.svc',
      port: 6379,
      name: 'bench-modules.svc-1.externals.cache',
    });
  });
});

describe('templates of text and lookups', () => {
  const renderer = createTemplateRenderer({ cookiecutterCompat: true });
  // The driver's data holds what its inputs hold, undefined included, as the worker's does.
  const nunjitsu = (source: string, data: Record<string, unknown>, limits: Record<string, number>) =>
    renderer.render(source, data as TemplateContext, { limits });
  const limits = { workUnits: 1_000_000, outputCodeUnits: 1_000_000 };
  const data = () => ({
    id: 'abc123',
    driver: { values: { domain: 'example.com', list: [1, 2], nested: { deep: { er: 'x' } } }, secrets: { apiKey: 'k3y' } },
    resource: {
      type: 'dns',
      class: 'default',
      id: 'modules.web.externals.dns',
      params: { n: 5, f: 1.5, neg: -0, big: 1e21, nan: NaN, b: true, no: false, nil: null, undef: undefined, s: 'a<b>&"\'', u: 'ünï 😀', in: 'x', obj: { a: 1 } },
    },
    context: { app: { id: 'shop' }, env: { id: 'dev', type: 'development' } },
    cookie: {},
    init: {},
    outputs: {},
    secrets: {},
  });
  const texts = ['host: ', '-', '.svc\n', 'a: "', '"', ' ', '\n', '\t', '{ x }', '}', '{', '#', '#}', '%}', '%', '[', 'x'];
  const lookups = [
    '{{ id }}', '{{id}}', '{{  id\t}}', '{{ resource.type }}', '{{ resource.params.n }}', '{{ resource.params.f }}', '{{ resource.params.neg }}',
    '{{ resource.params.big }}', '{{ resource.params.nan }}', '{{ resource.params.b }}', '{{ resource.params.no }}', '{{ resource.params.nil }}',
    '{{ resource.params.undef }}', '{{ resource.params.s }}', '{{ resource.params.u }}', '{{ resource.params.in }}', '{{ resource.params.obj }}',
    '{{ resource.params.obj.a }}', '{{ resource.params.missing }}', '{{ missing }}', '{{ missing.x }}', '{{ resource.params.constructor }}',
    '{{ resource.__proto__ }}', '{{ context.app.id }}', '{{ driver.values.list }}', '{{ driver.values.nested.deep.er }}', '{{ driver.secrets.apiKey }}',
    '{{ id | upper }}', '{{ id ~ id }}', '{{ loop }}', '{{ true }}', '{{ none }}', '{{ range }}', '{{ id.length }}', '{{ resource .type }}', '{{- id }}',
    '{{ id -}}', '{% if true %}y{% endif %}', '{# c #}', '{{ id }', '{{',
  ];

  it('renders what it accepts exactly as nunjitsu does, and leaves it everything else', () => {
    const next = random(11);
    let rendered = 0;
    let declined = 0;
    for (let i = 0; i < 5_000; i++) {
      const source = Array.from({ length: 1 + next(6) }, () => (next(2) ? texts[next(texts.length)] : lookups[next(lookups.length)])).join('');
      const text = renderPlainSubstitution(source, data(), limits);
      if (text === undefined) {
        declined++;
        continue;
      }
      rendered++;
      expect({ source, text }).toEqual({ source, text: nunjitsu(source, data(), limits) });
    }
    expect(rendered).toBeGreaterThan(500);
    expect(declined).toBeGreaterThan(500);
  });

  it('leaves to nunjitsu data it refuses or copies differently, and lower limits', () => {
    const source = 'host: {{ resource.type }}';
    expect(renderPlainSubstitution(source, data(), limits)).toBe('host: dns');
    const withKey = (json: string) => ({ ...data(), driver: { values: JSON.parse(json), secrets: {} } });
    for (const odd of ['{"constructor": 1}', '{"__proto__": {"a": 1}}', '{"a": {"prototype": 1}}']) {
      expect(() => nunjitsu(source, withKey(odd), limits)).toThrow(/reserved/);
      expect(renderPlainSubstitution(source, withKey(odd), limits)).toBeUndefined();
    }
    const hidden = data();
    Object.defineProperty(hidden.resource, 'type', { value: 'dns', enumerable: false });
    expect(renderPlainSubstitution(source, hidden, limits)).toBeUndefined();
    expect(renderPlainSubstitution(source, { ...data(), cookie: new Map() }, limits)).toBeUndefined();
    const withHole = [1, 2, 3];
    delete withHole[1];
    expect(renderPlainSubstitution(source, { ...data(), cookie: withHole }, limits)).toBeUndefined();
    expect(renderPlainSubstitution(source, data(), { ...limits, workUnits: 10 })).toBeUndefined();
    expect(renderPlainSubstitution(source, data(), { ...limits, outputCodeUnits: 5 })).toBeUndefined();
    expect(() => nunjitsu(source, data(), { ...limits, outputCodeUnits: 5 })).toThrow(/output/);
  });

  it('tells templates that cannot loop or allocate from those that might', () => {
    expect(isPlainSubstitution('host: {{ resource.type }}-{{ id }}.svc\nport: 6379\n')).toBe(true);
    expect(isPlainSubstitution('a: [1, 2]\nb: {c: 1}')).toBe(true);
    for (const source of ['{% for i in range(9) %}x{% endfor %}', '{{ s ~ s }}', '{{ x | replace("a", "b") }}', '{{ f(1) }}', '{# {{ x }} #}', '{{ x', '{{ "a" * 9 }}']) {
      expect(isPlainSubstitution(source)).toBe(false);
    }
  });
});
