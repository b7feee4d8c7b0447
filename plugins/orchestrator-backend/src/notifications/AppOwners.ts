import { AuthService } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { BATON_APP_ANNOTATION } from '@baton/backstage-plugin-orchestrator-common';

type Entity = Awaited<ReturnType<CatalogService['getEntities']>>['items'][number];

/** Who owns an app in the catalog, and where its Baton tab is. */
export interface AppInCatalog {
  /** Entity refs of the owners (`group:default/team-a`), without repeats. */
  owners: string[];
  /** Path of the app's entity's Baton tab in the portal, e.g. `/catalog/default/component/shop/baton`. */
  batonTab: string;
}

/**
 * The full ref of an owner named in `spec.owner`: a bare name is a Group in
 * the entity's namespace, as the catalog itself reads it.
 */
export function ownerRef(owner: string, namespace: string): string {
  const match = /^(?:([^:/]+):)?(?:([^:/]+)\/)?([^:/]+)$/.exec(owner.trim());
  if (!match) return owner;
  const [, kind = 'group', ns = namespace, name] = match;
  return `${kind.toLocaleLowerCase('en-US')}:${ns.toLocaleLowerCase('en-US')}/${name.toLocaleLowerCase('en-US')}`;
}

function ownersOf(entity: Entity): string[] {
  const namespace = entity.metadata.namespace ?? 'default';
  // The catalog's relations hold full refs; `spec.owner` is what an entity not yet processed has.
  const related = (entity.relations ?? []).filter(r => r.type === 'ownedBy').map(r => r.targetRef);
  if (related.length) return related;
  const owner = entity.spec?.owner;
  return typeof owner === 'string' && owner ? [ownerRef(owner, namespace)] : [];
}

/**
 * Finds an app's catalog entities (Components and Systems annotated
 * `baton.dev/app: <app>`), read from the catalog on each call with the
 * plugin's own credentials, so a changed owner counts at once.
 */
export class AppOwners {
  constructor(private readonly deps: { catalog: CatalogService; auth: AuthService }) {}

  /** The app's owners and Baton tab; undefined when no entity of the app names an owner. */
  async find(app: string): Promise<AppInCatalog | undefined> {
    const { items } = await this.deps.catalog.getEntities(
      {
        filter: { [`metadata.annotations.${BATON_APP_ANNOTATION}`]: app, kind: ['Component', 'System'] },
        fields: ['kind', 'metadata.name', 'metadata.namespace', 'spec.owner', 'relations'],
      },
      { credentials: await this.deps.auth.getOwnServiceCredentials() },
    );
    // The Component's page before the System's: that is where the app's deployments are.
    const entities = [...items].sort((a, b) => Number(b.kind === 'Component') - Number(a.kind === 'Component'));
    const owners = [...new Set(entities.flatMap(ownersOf))];
    const entity = entities[0];
    if (!entity || !owners.length) return undefined;
    const ns = encodeURIComponent(entity.metadata.namespace ?? 'default');
    const kind = encodeURIComponent(entity.kind.toLocaleLowerCase('en-US'));
    return { owners, batonTab: `/catalog/${ns}/${kind}/${encodeURIComponent(entity.metadata.name)}/baton` };
  }
}
