import type { DriverManifest } from '@baton/backstage-plugin-orchestrator-node';
import { isObject } from './jsonValues';
import { findSecretRef } from './secretReferences';

/** What it prints on stdout (score-k8s `provisioners.ProvisionOutput`); other fields are refused, as score-k8s does. */
const OUTPUT_FIELDS = ['resource_outputs', 'resource_state', 'shared_state', 'manifests'] as const;

/** Kinds that live outside namespaces; every other manifest goes into the app's namespace, as score-k8s puts them. */
const CLUSTER_KINDS = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'VolumeAttachment', 'CSIDriver', 'CSINode',
  'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'APIService', 'PriorityClass',
  'RuntimeClass', 'IngressClass', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'FlowSchema',
  'PriorityLevelConfiguration', 'CertificateSigningRequest', 'GatewayClass', 'ClusterIssuer',
  'VolumeSnapshotClass', 'ClusterSecretStore', 'ClusterExternalSecret',
]);

export interface ProvisionerOutput {
  resource_outputs?: Record<string, unknown> | null;
  resource_state?: Record<string, unknown> | null;
  shared_state?: Record<string, unknown> | null;
  manifests?: Record<string, unknown>[] | null;
}

/**
 * Reads the command's stdout as score-k8s does: the first JSON value, an
 * object with only the known fields. Nothing of stdout is quoted in an
 * error: it may hold secrets.
 */
export function parseOutput(stdout: string): ProvisionerOutput {
  const text = stdout.replace(/^\uFEFF/, '');
  if (!text.trim()) {
    throw new Error(`printed nothing on stdout; expected a JSON object with ${OUTPUT_FIELDS.join(', ')}`);
  }
  const end = firstValueEnd(text);
  let value: unknown;
  try {
    value = JSON.parse(end === undefined ? text : text.slice(0, end));
  } catch (error) {
    const at = /position (\d+)/.exec((error as Error).message);
    throw new Error(`printed invalid JSON on stdout${at ? ` (at character ${at[1]})` : ''}; expected a JSON object with ${OUTPUT_FIELDS.join(', ')}`);
  }
  if (!isObject(value)) {
    throw new Error(`printed JSON that is not an object on stdout; expected a JSON object with ${OUTPUT_FIELDS.join(', ')}`);
  }
  const unknown = Object.keys(value).filter(k => !(OUTPUT_FIELDS as readonly string[]).includes(k));
  if (unknown.length) {
    const names = unknown.slice(0, 5).map(k => `'${k.slice(0, 60)}'`).join(', ');
    throw new Error(`printed unknown field${unknown.length > 1 ? 's' : ''} ${names} on stdout (known: ${OUTPUT_FIELDS.join(', ')})`);
  }
  for (const field of ['resource_outputs', 'resource_state', 'shared_state'] as const) {
    if (value[field] !== undefined && value[field] !== null && !isObject(value[field])) {
      throw new Error(`printed ${field} that is not a JSON object`);
    }
  }
  const manifests = value.manifests;
  if (manifests !== undefined && manifests !== null && !(Array.isArray(manifests) && manifests.every(isObject))) {
    throw new Error('printed manifests that are not a list of Kubernetes objects');
  }
  return value as ProvisionerOutput;
}

/**
 * Where the first JSON value of text ends, for an object or array; Go's
 * decoder, which score-k8s uses, ignores what follows it.
 */
function firstValueEnd(text: string): number | undefined {
  let i = 0;
  while (i < text.length && /\s/.test(text[i])) i++;
  if (text[i] !== '{' && text[i] !== '[') return undefined;
  let depth = 0;
  let inString = false;
  for (; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return undefined;
}

export interface NamedManifest {
  name: string;
  manifest: DriverManifest;
}

/**
 * score-k8s's list of Kubernetes objects as Baton's manifest map, by
 * identity: a later object with the same apiVersion, kind and name replaces
 * an earlier one, as score-k8s does.
 */
export function toManifests(list: Record<string, unknown>[]): Map<string, NamedManifest> {
  const byIdentity = new Map<string, NamedManifest>();
  const names = new Set<string>();
  list.forEach((object, i) => {
    const { apiVersion, kind } = object;
    const name = isObject(object.metadata) ? object.metadata.name : undefined;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string' || typeof name !== 'string' || !name) {
      throw new Error(`printed manifests[${i}], which is not a Kubernetes object: it needs apiVersion, kind and metadata.name`);
    }
    const found = findSecretRef(object, `manifests[${i}]`);
    if (found) {
      throw new Error(`printed ${found} holding a score-k8s secret reference, which only resource_outputs may hold (score-k8s refuses it too)`);
    }
    const identity = `${apiVersion}/${kind}/${name}`;
    const location: DriverManifest['location'] = CLUSTER_KINDS.has(kind) ? 'cluster' : 'namespace';
    const earlier = byIdentity.get(identity);
    if (earlier) {
      earlier.manifest = { location, data: object };
      return;
    }
    let key = `${kind.toLowerCase()}-${name}`;
    for (let n = 2; names.has(key); n++) key = `${kind.toLowerCase()}-${name}-${n}`;
    names.add(key);
    byIdentity.set(identity, { name: key, manifest: { location, data: object } });
  });
  return byIdentity;
}

/** JSON Merge Patch (RFC 7386), as score-k8s applies `shared_state`. */
export function patchMap(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isObject(value)) out[key] = patchMap(isObject(out[key]) ? out[key] : {}, value);
    else out[key] = value;
  }
  return out;
}
