import { AuthService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { BATON_APP_ANNOTATION, BATON_BRANCHES_ANNOTATION } from '@baton/backstage-plugin-orchestrator-common';
import { fileURLToPath } from 'node:url';
import type { WatchedRepository } from './GitWatcher';

type Entity = Awaited<ReturnType<CatalogService['getEntities']>>['items'][number];

const SOURCE_LOCATION = 'backstage.io/source-location';

/**
 * The repository a catalog entity's `backstage.io/source-location` names:
 * `url:https://github.com/org/repo/tree/main/` → `https://github.com/org/repo`
 * (also GitLab's `/-/tree/`), `url:file:///srv/repo/` → `/srv/repo`.
 */
export function repositoryOfSourceLocation(location: string): string | undefined {
  const target = location.replace(/^url:/, '').trim();
  if (!target) return undefined;
  if (target.startsWith('file://')) return fileURLToPath(target).replace(/\/+$/, '') || undefined;
  if (!/^https?:\/\//.test(target)) return undefined;
  return target.replace(/\/(?:-\/)?(?:tree|blob)\/.*$/, '').replace(/\/+$/, '');
}

/** `main=dev, release=staging` → `{main: 'dev', release: 'staging'}`; undefined when it has no pair. */
export function parseBranches(annotation: string): Record<string, string> | undefined {
  const pairs = annotation
    .split(',')
    .map(pair => pair.split('=').map(part => part.trim()))
    .filter((pair): pair is [string, string] => pair.length === 2 && Boolean(pair[0]) && Boolean(pair[1]));
  return pairs.length ? Object.fromEntries(pairs) : undefined;
}

/** The repository an entity of a Baton app declares, if it declares both where and which branches. */
export function repositoryOfEntity(entity: Entity): WatchedRepository | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const app = annotations[BATON_APP_ANNOTATION];
  const url = annotations[SOURCE_LOCATION] && repositoryOfSourceLocation(annotations[SOURCE_LOCATION]);
  const branches = annotations[BATON_BRANCHES_ANNOTATION] && parseBranches(annotations[BATON_BRANCHES_ANNOTATION]);
  return app && url && branches ? { source: 'catalog', url, app, branches } : undefined;
}

/**
 * Repositories that Baton apps' catalog entities declare (their source
 * location and `baton.dev/branches`), read from the catalog each time, so a
 * changed entity applies at the next poll. An entity's repository counts
 * only for an app that exists and has not named a repository of its own.
 */
export async function repositoriesFromCatalog(options: {
  catalog: CatalogService;
  auth: AuthService;
  /** Whether Baton follows the app's entities (it exists and names no repository itself). */
  follows: (app: string) => boolean;
}): Promise<WatchedRepository[]> {
  const { items } = await options.catalog.getEntities(
    {
      filter: {
        [`metadata.annotations.${BATON_APP_ANNOTATION}`]: CATALOG_FILTER_EXISTS,
        [`metadata.annotations.${BATON_BRANCHES_ANNOTATION}`]: CATALOG_FILTER_EXISTS,
      },
      fields: ['kind', 'metadata'],
    },
    { credentials: await options.auth.getOwnServiceCredentials() },
  );
  const seen = new Set<string>();
  return items.flatMap(entity => {
    const repository = repositoryOfEntity(entity);
    if (!repository || !options.follows(repository.app)) return [];
    const key = `${repository.app}\u0000${repository.url}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [repository];
  });
}
