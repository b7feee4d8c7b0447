import { ResolvedValue } from './types';
import {
  scoreLookup,
  substituteString,
  substituteValue,
  SubstitutionError,
} from './substitution';

// The S, T and M vectors of score-go framework/substitution_test.go.
const lookup = scoreLookup({
  metadata: {
    name: 'test-name',
    other: { key: 'value' },
    annotations: { 'key.com/foo-bar': 'thing' },
  },
  resources: {
    env: (keys: string[]): ResolvedValue => {
      if (keys.length === 0) return { value: 'env', secret: false };
      if (keys.length === 1) return { value: `\${${keys[0]}}`, secret: false };
      throw new Error('too many keys');
    },
    db: (keys: string[]): ResolvedValue =>
      keys.length === 0
        ? { value: 'db', secret: false }
        : { value: `\${DB_${keys.join('_').toUpperCase()}?required}`, secret: false },
    static: (keys: string[]): ResolvedValue => {
      if (keys.length === 0) return { value: 'static', secret: false };
      const map: Record<string, string> = { x: 'a' };
      if (!(keys[0] in map)) throw new Error(`key '${keys[0]}' not found`);
      return { value: map[keys[0]], secret: false };
    },
  },
});

function sub(input: string): string {
  return substituteString(input, lookup).value;
}
function subError(input: string): string {
  try {
    substituteString(input, lookup);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`no error for ${input}`);
}

describe('placeholder references (S vectors)', () => {
  it.each([
    ['metadata.name', 'test-name'],
    ['metadata.other', '{"key":"value"}'],
    ['metadata.other.key', 'value'],
    ['metadata.annotations.key\\.com/foo-bar', 'thing'],
    ['resources.env', 'env'],
    ['resources.env.DEBUG', '${DEBUG}'],
    ['resources.db', 'db'],
    ['resources.db.host', '${DB_HOST?required}'],
    ['resources.db.port', '${DB_PORT?required}'],
    ['resources.db.name', '${DB_NAME?required}'],
    ['resources.db.name.user', '${DB_NAME_USER?required}'],
    ['resources.static', 'static'],
    ['resources.static.x', 'a'],
  ])('%s → %s', (ref, expected) => {
    expect(sub(`\${${ref}}`)).toBe(expected);
  });

  it.each([
    ['missing', "invalid ref 'missing': unknown reference root, use $$ to escape the substitution"],
    ['metadata', "invalid ref 'metadata': requires at least a metadata key to lookup"],
    ['metadata.missing', "invalid ref 'metadata.missing': key 'missing' not found"],
    ['metadata.name.foo', "invalid ref 'metadata.name.foo': cannot lookup key 'foo', context is not a map"],
    ['resources.missing', "invalid ref 'resources.missing': no known resource 'missing'"],
    ['resources.static.y', "invalid ref 'resources.static.y': key 'y' not found"],
  ])('%s fails: %s', (ref, message) => {
    expect(subError(`\${${ref}}`)).toBe(message);
  });
});

describe('substituteString (T vectors)', () => {
  it.each([
    ['', ''],
    ['abc', 'abc'],
    ['$abc', '$abc'],
    ['abc $$ abc', 'abc $ abc'],
    ['$${abc}', '${abc}'],
    ['$$$${abc}', '$${abc}'],
    ['$${abc .4t3298y *(^&(*}', '${abc .4t3298y *(^&(*}'],
    ['my name is ${metadata.name}', 'my name is test-name'],
    [
      'postgresql://${resources.db.user}:${resources.db.password}@${resources.db.host}:${resources.db.port}/${resources.db.name}',
      'postgresql://${DB_USER?required}:${DB_PASSWORD?required}@${DB_HOST?required}:${DB_PORT?required}/${DB_NAME?required}',
    ],
  ])('%j → %j', (input, expected) => {
    expect(sub(input)).toBe(expected);
  });

  it.each([
    ['$$${abc}', "invalid ref 'abc': unknown reference root, use $$ to escape the substitution"],
    ['$$$$${abc}', "invalid ref 'abc': unknown reference root, use $$ to escape the substitution"],
    ['my name is ${metadata.thing\\.two}', "invalid ref 'metadata.thing\\.two': key 'thing.two' not found"],
    ['my name is ${}', "invalid ref '': unknown reference root, use $$ to escape the substitution"],
  ])('%j fails', (input, message) => {
    expect(subError(input)).toBe(message);
  });

  it('reports every error of a string together', () => {
    const error = (() => {
      try {
        substituteString('${metadata.a} and ${metadata.b}', lookup);
      } catch (e) {
        return e as SubstitutionError;
      }
      return undefined;
    })();
    expect(error?.problems).toEqual([
      "invalid ref 'metadata.a': key 'a' not found",
      "invalid ref 'metadata.b': key 'b' not found",
    ]);
  });

  it('marks values that read a secret output', () => {
    const secretLookup = scoreLookup({
      metadata: { name: 'web' },
      resources: { db: { outputs: { host: 'h' }, secrets: { password: 's3cr3t' } } },
    });
    expect(substituteString('${resources.db.host}', secretLookup)).toEqual({ value: 'h', secret: false });
    expect(substituteString('pw=${resources.db.password}', secretLookup)).toEqual({
      value: 'pw=s3cr3t',
      secret: true,
    });
  });
});

describe('substituteValue (M vectors)', () => {
  it('substitutes recursively in maps and lists', () => {
    const input = {
      a: '1',
      b: '${metadata.name}',
      c: ['1', '${metadata.name}', { d: '${metadata.name}' }],
      d: { e: '1', f: '${metadata.name}' },
    };
    expect(substituteValue(input, lookup).value).toEqual({
      a: '1',
      b: 'test-name',
      c: ['1', 'test-name', { d: 'test-name' }],
      d: { e: '1', f: 'test-name' },
    });
  });

  it('prefixes errors with their path', () => {
    expect(() => substituteValue({ a: [{ b: '${metadata.unknown}' }] }, lookup)).toThrow(
      "a: 0: b: invalid ref 'metadata.unknown': key 'unknown' not found",
    );
  });
});
