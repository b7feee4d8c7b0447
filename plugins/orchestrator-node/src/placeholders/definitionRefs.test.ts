import { definitionLookup, findResourceReferences, resourceUid } from './definitionRefs';
import { substituteString, substituteValue } from './substitution';

describe('resource uids (R vectors)', () => {
  it('joins type, class and resource id', () => {
    expect(resourceUid('res-type', undefined, 'work.my-res')).toBe('res-type.default#work.my-res');
    expect(resourceUid('res-type', 'something', 'work.my-res')).toBe('res-type.something#work.my-res');
    expect(resourceUid('res-type', undefined, 'something')).toBe('res-type.default#something');
  });
});

describe('findResourceReferences', () => {
  it('finds dotted and bracket references, with and without class and resId', () => {
    const refs = findResourceReferences({
      values: {
        a: 'postgres://${resources.postgres.outputs.host}:${resources.postgres.large#shared.main-db.outputs.port}',
        b: ["${resources['aws-policy#modules.web.externals.bucket'].outputs.arn}"],
        c: '$${resources.dns.outputs.host} ${context.app.id}',
        d: 42,
      },
    });
    expect(refs.map(r => [r.type, r.class, r.resId, r.outputPath.join('.')])).toEqual([
      ['postgres', 'default', undefined, 'host'],
      ['postgres', 'large', 'shared.main-db', 'port'],
      ['aws-policy', 'default', 'modules.web.externals.bucket', 'arn'],
    ]);
  });
});

describe('definitionLookup', () => {
  const lookup = definitionLookup({
    context: {
      app: { id: 'shop' },
      env: { id: 'dev', type: 'development' },
      res: { id: 'modules.web.externals.db', guresid: 'abc123', type: 'postgres', class: 'default' },
    },
    outputsOf: ({ type, class: klass, resId }) =>
      type === 'postgres-instance' && klass === 'default' && resId === 'modules.web.externals.db'
        ? { outputs: { host: 'pg.internal', port: 5432 }, secrets: { password: 'pw' } }
        : undefined,
  });

  it('reads the context and other resources, inheriting the resId', () => {
    expect(
      substituteString(
        '${context.app.id}-${context.env.id}-${context.res.guresid}@${resources.postgres-instance.outputs.host}:${resources.postgres-instance.outputs.port}',
        lookup,
      ),
    ).toEqual({ value: 'shop-dev-abc123@pg.internal:5432', secret: false });
    expect(substituteValue({ p: '${resources.postgres-instance.outputs.password}' }, lookup)).toEqual({
      value: { p: 'pw' },
      secret: true,
    });
  });

  it('names the placeholder and the missing resource', () => {
    expect(() => substituteString('${resources.redis.outputs.host}', lookup)).toThrow(
      "invalid ref 'resources.redis.outputs.host': resource redis.default#modules.web.externals.db has not been provisioned",
    );
    expect(() => substituteString('${context.app.name}', lookup)).toThrow(
      "invalid ref 'context.app.name': key 'name' not found",
    );
  });
});
