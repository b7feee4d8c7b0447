import {
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  resourceEntityV1alpha1Validator,
  SchemaValidEntityPolicy,
} from '@backstage/catalog-model';
import { appsFromEntities, resourceEntityName, resourceToEntity, toEntityName } from './resourceToEntity';
import { createHash } from 'node:crypto';

const resource = {
  app: 'shop',
  env: 'staging',
  envType: 'staging',
  workloads: ['web', 'worker'],
  uid: 'postgres.default#shared.main-db',
  resId: 'shared.main-db',
  type: 'postgres',
  class: 'default',
  guresid: 'abc123',
  definition: 'postgres-staging',
  status: 'active',
  outputs: { host: 'db.internal', port: 5432 },
  secretOutputs: ['password'],
};

describe('toEntityName', () => {
  it('makes valid, stable, unique catalog names', () => {
    expect(toEntityName('shop-staging-modules.web.externals.db')).toBe('shop-staging-modules.web.externals.db');
    expect(toEntityName('Shop--Prod#shared/Main DB')).toBe('shop-prod-shared-main-db');
    const a = toEntityName(`shop-prod-modules.${'a'.repeat(60)}.externals.one`);
    const b = toEntityName(`shop-prod-modules.${'a'.repeat(60)}.externals.two`);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[a-z0-9].*[a-z0-9]$/);
  });
});

describe('resourceEntityName', () => {
  const active = (app: string, env: string, type: string, klass: string, resId: string) => {
    const uid = `${type}.${klass}#${resId}`;
    // As the orchestrator derives it: a hash of app, environment and uid.
    const guresid = createHash('sha256').update(`${app}\u0000${env}\u0000${uid}`).digest('hex').slice(0, 24);
    return { ...resource, app, env, type, class: klass, resId, uid, guresid };
  };

  it('names resources that share a resource id apart by type and class', () => {
    const names = [
      active('shop', 'dev', 'route', 'default', 'modules.web.externals.route'),
      active('shop', 'dev', 'dns', 'default', 'modules.web.externals.route'),
      active('shop', 'dev', 'dns', 'internal', 'modules.web.externals.route'),
    ].map(resourceEntityName);
    expect(names[0]).toMatch(/^shop-dev-route-modules\.web\.externals\.route-[0-9a-f]{8}$/);
    expect(names[1]).toMatch(/^shop-dev-dns-modules\.web\.externals\.route-[0-9a-f]{8}$/);
    expect(names[2]).toMatch(/^shop-dev-dns\.internal-modules\.web\.externals\.route-[0-9a-f]{8}$/);
  });

  it('keeps names apart where the readable part coincides after sanitizing or cutting', () => {
    const long = 'a'.repeat(60);
    const pairs = [
      [active('shop', 'dev', 'postgres', 'default', 'shared.Main'), active('shop', 'dev', 'postgres', 'default', 'shared.main')],
      [active('shop-dev', 'x', 's3', 'default', 'files'), active('shop', 'dev-x', 's3', 'default', 'files')],
      [active('shop', 'dev', 's3', 'default', `modules.${long}.one`), active('shop', 'dev', 's3', 'default', `modules.${long}.two`)],
    ];
    for (const [a, b] of pairs) {
      expect(resourceEntityName(a)).not.toBe(resourceEntityName(b));
      for (const name of [resourceEntityName(a), resourceEntityName(b)]) {
        expect(name.length).toBeLessThanOrEqual(63);
        expect(name).toMatch(/^[a-z0-9]([a-z0-9_.-]*[a-z0-9])?$/);
      }
    }
  });

  it('gives the same resource the same name whatever else changes', () => {
    const before = active('shop', 'dev', 'postgres', 'default', 'shared.main-db');
    const after = { ...before, status: 'failed', definition: 'postgres-v2', workloads: ['api'], outputs: { host: 'other' } };
    expect(resourceEntityName(after)).toBe(resourceEntityName(before));
  });
});

describe('resourceToEntity', () => {
  const apps = appsFromEntities([
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'System',
      metadata: { name: 'shop', annotations: { 'baton.dev/app': 'shop' } },
      spec: { owner: 'group:default/shop-team' },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'shop-web', annotations: { 'baton.dev/app': 'shop', 'baton.dev/workload': 'web' } },
      spec: { owner: 'group:default/web-team', type: 'service', lifecycle: 'production' },
    },
  ]);

  it('maps an active resource to a valid Resource entity with owner, system and dependencyOf', async () => {
    const entity = resourceToEntity(resource, {
      location: 'url:http://localhost:7007/api/orchestrator/resources',
      app: apps.get('shop'),
      defaultOwner: 'unknown',
      entityPageBaseUrl: 'http://localhost:3000',
    });
    expect(entity.metadata.name).toBe('shop-staging-postgres-shared.main-db-abc123');
    expect(entity.spec).toEqual({
      type: 'postgres',
      owner: 'group:default/shop-team',
      system: 'system:default/shop',
      dependencyOf: ['component:default/shop-web'],
    });
    expect(entity.metadata.annotations).toMatchObject({
      'baton.dev/app': 'shop',
      'baton.dev/env': 'staging',
      'baton.dev/env-type': 'staging',
      'baton.dev/guresid': 'abc123',
      'baton.dev/definition': 'postgres-staging',
      'baton.dev/status': 'active',
      'baton.dev/output-host': 'db.internal',
      'baton.dev/output-port': '5432',
      'baton.dev/secret-outputs': 'password',
    });
    expect(entity.metadata.links?.[0].url).toBe('http://localhost:3000/catalog/default/resource/shop-staging-postgres-shared.main-db-abc123/baton');
    // The catalog table's View action opens the Baton tab, not the REST API.
    expect(entity.metadata.annotations?.['backstage.io/view-url']).toBe(
      'http://localhost:3000/catalog/default/resource/shop-staging-postgres-shared.main-db-abc123/baton',
    );
    const policy = EntityPolicies.allOf([new SchemaValidEntityPolicy(), new NoForeignRootFieldsEntityPolicy(), new FieldFormatEntityPolicy()]);
    await expect(policy.enforce(entity)).resolves.toBe(entity);
    await expect(resourceEntityV1alpha1Validator.check(entity)).resolves.toBe(true);
  });

  it('falls back to the default owner when the app has no catalog entity', () => {
    const entity = resourceToEntity(resource, { location: 'url:x', defaultOwner: 'group:default/platform' });
    expect(entity.spec).toEqual({ type: 'postgres', owner: 'group:default/platform' });
  });
});
