import {
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  resourceEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import { resourceToEntity, toEntityName } from './OrchestratorEntityProvider';

describe('toEntityName', () => {
  it('makes valid, stable catalog names from orchestrator ids', () => {
    expect(toEntityName('shop-staging-modules.web.externals.db')).toBe(
      'shop-staging-modules.web.externals.db',
    );
    expect(toEntityName('Shop--Prod#shared/Main DB')).toBe(
      'shop-prod-shared-main-db',
    );
    const long = toEntityName(`${'a'.repeat(70)}-b`);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9].*[a-z0-9]$/);
  });
});

describe('resourceToEntity', () => {
  it('maps an active resource to a valid Resource entity', async () => {
    const entity = resourceToEntity(
      {
        app: 'shop',
        env: 'staging',
        envType: 'staging',
        uid: 'postgres.default#modules.web.externals.db',
        resId: 'modules.web.externals.db',
        type: 'postgres',
        class: 'default',
        guresid: 'abc123',
        definition: 'postgres-staging',
        status: 'active',
        outputs: { host: 'db.internal' },
      },
      'url:http://localhost:7007/api/orchestrator/resources',
    );
    expect(entity.metadata.name).toBe('shop-staging-modules.web.externals.db');
    expect(entity.spec).toMatchObject({ type: 'postgres' });
    expect(entity.metadata.annotations).toMatchObject({
      'baton.dev/app': 'shop',
      'baton.dev/env': 'staging',
      'baton.dev/guresid': 'abc123',
      'baton.dev/definition': 'postgres-staging',
    });
    const policy = EntityPolicies.allOf([
      new SchemaValidEntityPolicy(),
      new NoForeignRootFieldsEntityPolicy(),
      new FieldFormatEntityPolicy(),
    ]);
    await expect(policy.enforce(entity)).resolves.toBe(entity);
    await expect(resourceEntityV1alpha1Validator.check(entity)).resolves.toBe(true);
  });
});
