import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  ANNOTATION_VIEW_URL,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { createHash } from 'node:crypto';

/**
 * An active resource as the orchestrator's `GET /resources` lists it.
 * Outputs carry no secrets: the API never returns secret values.
 *
 * @public
 */
export interface ActiveResourceSummary {
  app: string;
  env: string;
  envType?: string;
  workloads?: string[];
  uid: string;
  resId: string;
  type: string;
  class: string;
  guresid: string;
  definition: string;
  status: string;
  outputs?: Record<string, unknown>;
  secretOutputs?: string[];
}

/** What the catalog says about an app: the entities annotated `baton.dev/app`. @public */
export interface AppInCatalog {
  owner?: string;
  system?: string;
  /** Component refs by workload name. */
  components: Map<string, string>;
  /** The app's own Component, when the app is one. */
  appComponent?: string;
}

const NAME_MAX = 63;
/** Hex digits of the resource's guresid that end every Resource entity name. */
const ID_SUFFIX = 8;

/** Lowercase, invalid characters mapped to `-`, alphanumeric at both ends. */
function sanitizeName(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/[-_.]{2,}/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
}

/**
 * Turns an orchestrator id into a valid catalog entity name: lowercase,
 * invalid characters mapped to `-`, at most 63 characters (with a short hash
 * of the full id when cut, so names stay unique), alphanumeric at both ends.
 *
 * @public
 */
export function toEntityName(raw: string): string {
  let name = sanitizeName(raw);
  if (name.length > NAME_MAX) {
    const hash = createHash('sha256').update(raw).digest('hex').slice(0, 8);
    name = `${name.slice(0, NAME_MAX - 9).replace(/[^a-z0-9]+$/, '')}-${hash}`;
  }
  return name || 'resource';
}

/** `type`, or `type.class` for a class other than `default`, as in resource uids. */
function typeAndClass(resource: Pick<ActiveResourceSummary, 'type' | 'class'>): string {
  return resource.class === 'default' ? resource.type : `${resource.type}.${resource.class}`;
}

/**
 * The catalog name of an active resource's entity:
 * `<app>-<env>-<type>[.<class>]-<resId>-<guresid prefix>`, the readable part
 * cut to fit 63 characters. The guresid (a hash of app, environment, type,
 * class and resource id) keeps the name unique where the readable parts
 * coincide (a co-provisioned `dns` shares its `route`'s resource id;
 * sanitizing and cutting lose characters) and the same across deployments.
 *
 * @public
 */
export function resourceEntityName(resource: Pick<ActiveResourceSummary, 'app' | 'env' | 'type' | 'class' | 'resId' | 'guresid'>): string {
  const readable = sanitizeName(`${resource.app}-${resource.env}-${typeAndClass(resource)}-${resource.resId}`)
    .slice(0, NAME_MAX - ID_SUFFIX - 1)
    .replace(/[^a-z0-9]+$/, '');
  return `${readable || 'resource'}-${sanitizeName(resource.guresid).slice(0, ID_SUFFIX)}`;
}

/** Annotation-safe key for an output name. */
function outputAnnotation(key: string): string | undefined {
  const name = `output-${key}`.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63).replace(/[^A-Za-z0-9]+$/, '');
  return /^[A-Za-z0-9]/.test(name) ? `baton.dev/${name}` : undefined;
}

/**
 * Maps one active resource to a catalog `Resource` entity, named by
 * {@link resourceEntityName} so it stays the same across deployments; owner
 * and system come from the app's catalog entity, and `dependencyOf` names the Components of the workloads that use it.
 *
 * @public
 */
export function resourceToEntity(
  resource: ActiveResourceSummary,
  options: { location: string; app?: AppInCatalog; defaultOwner: string; entityPageBaseUrl?: string },
): Entity {
  const name = resourceEntityName(resource);
  const batonTab = options.entityPageBaseUrl && `${options.entityPageBaseUrl}/catalog/default/resource/${name}/baton`;
  const annotations: Record<string, string> = {
    [ANNOTATION_LOCATION]: options.location,
    [ANNOTATION_ORIGIN_LOCATION]: options.location,
    // The catalog's View action opens this; left unset, the catalog would fill
    // it with the location, the orchestrator's REST URL.
    ...(batonTab ? { [ANNOTATION_VIEW_URL]: batonTab } : {}),
    'baton.dev/app': resource.app,
    'baton.dev/env': resource.env,
    ...(resource.envType ? { 'baton.dev/env-type': resource.envType } : {}),
    'baton.dev/uid': resource.uid,
    'baton.dev/res-id': resource.resId,
    'baton.dev/class': resource.class,
    'baton.dev/guresid': resource.guresid,
    'baton.dev/definition': resource.definition,
    'baton.dev/status': resource.status,
  };
  for (const [key, value] of Object.entries(resource.outputs ?? {})) {
    const annotation = outputAnnotation(key);
    if (annotation) annotations[annotation] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  if (resource.secretOutputs?.length) {
    annotations['baton.dev/secret-outputs'] = resource.secretOutputs.join(',');
  }
  const app = options.app;
  const dependencyOf = new Set<string>();
  for (const w of resource.workloads ?? []) {
    const component = app?.components.get(w);
    if (component) dependencyOf.add(component);
  }
  if (!dependencyOf.size && app?.appComponent) dependencyOf.add(app.appComponent);
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      title: `${typeAndClass(resource)} ${resource.resId} (${resource.app}/${resource.env})`,
      description: `${resource.type} of ${resource.app} in ${resource.env}, provided by definition ${resource.definition}`,
      annotations,
      tags: [`baton-${toEntityName(resource.env)}`].filter(t => /^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$/.test(t)),
      ...(batonTab ? { links: [{ url: batonTab, title: 'Baton', icon: 'dashboard' }] } : {}),
    },
    spec: {
      type: resource.type,
      owner: app?.owner ?? options.defaultOwner,
      ...(app?.system ? { system: app.system } : {}),
      ...(dependencyOf.size ? { dependencyOf: [...dependencyOf].sort() } : {}),
    },
  };
}

/** Reads what the catalog says about apps from their annotated entities. @public */
export function appsFromEntities(entities: Entity[]): Map<string, AppInCatalog> {
  const apps = new Map<string, AppInCatalog>();
  const get = (app: string) => {
    let found = apps.get(app);
    if (!found) apps.set(app, (found = { components: new Map() }));
    return found;
  };
  // Systems first, so a Component's own owner/system only fills what is missing.
  const sorted = [...entities].sort((a, b) => (a.kind === 'System' ? -1 : 0) - (b.kind === 'System' ? -1 : 0));
  for (const entity of sorted) {
    const appId = entity.metadata.annotations?.['baton.dev/app'];
    if (!appId) continue;
    const app = get(appId);
    const ref = stringifyEntityRef(entity);
    const spec = (entity.spec ?? {}) as { owner?: string; system?: string };
    if (entity.kind === 'System') {
      app.system ??= ref;
      app.owner ??= spec.owner;
    } else if (entity.kind === 'Component') {
      app.owner ??= spec.owner;
      if (spec.system) app.system ??= spec.system;
      const workload = entity.metadata.annotations?.['baton.dev/workload'] ?? entity.metadata.name;
      app.components.set(workload, ref);
      if (entity.metadata.name === appId || !app.appComponent) app.appComponent = ref;
    }
  }
  return apps;
}
