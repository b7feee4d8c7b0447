import { Diagnostic } from '@baton/backstage-plugin-orchestrator-common';

/** A Kubernetes object as rendered. @public */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

type Validator = (data: unknown) => void;
const validators = new Map<string, Validator | null>();

/**
 * The compiled validator of a built-in kind from kubernetes-models (the
 * Kubernetes OpenAPI schemas compiled to JSON Schema validators), loaded once
 * on first use; null for kinds it does not know (custom resources). It is
 * called on the object itself, not on a model copy, so that
 * {@link unknownFields} can watch which fields the schema reads.
 */
function validatorFor(apiVersion: string, kind: string): Validator | null {
  const key = `${apiVersion}/${kind}`;
  let validator = validators.get(key);
  if (validator !== undefined) return validator;
  validator = null;
  if (/^[a-z0-9.]*\/?v[0-9a-z]+$/.test(apiVersion) && /^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(`kubernetes-models/${apiVersion}/${kind}`);
      const Model = mod[kind] ?? mod.default;
      if (typeof Model === 'function') {
        const validateModel = Model.prototype.validate as (this: unknown) => void;
        validator = (data: unknown) => validateModel.call(data);
      }
    } catch {
      validator = null;
    }
  }
  validators.set(key, validator);
  return validator;
}

/** The kinds the renderer itself makes. */
const RENDERED_KINDS = [
  ['apps/v1', 'Deployment'],
  ['v1', 'Service'],
  ['v1', 'Secret'],
  ['v1', 'ConfigMap'],
  ['policy/v1', 'PodDisruptionBudget'],
] as const;

/**
 * Loads the validators of the kinds the renderer makes, one per turn of the
 * event loop. Loading one is slow (see bench/README.md); a server calls
 * this at start so that its first big deployment does not pay it while
 * serving requests.
 *
 * @public
 */
export async function loadKubernetesValidators(): Promise<void> {
  for (const [apiVersion, kind] of RENDERED_KINDS) {
    await new Promise(resolve => setImmediate(resolve));
    validatorFor(apiVersion, kind);
  }
}

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** What a schema read of one map: the fields it knows, or every key (a map of free keys such as labels). */
interface FieldsRead {
  keys: Set<PropertyKey>;
  anyKey: boolean;
}

/**
 * Wraps values so that the fields a schema validator reads are recorded.
 * The kubernetes-models validators read exactly the properties their schema
 * declares and enumerate only maps of free keys, so a key the validator
 * never read is a field the schema does not have. One proxy per object and
 * one handler for all: a big deployment validates tens of thousands of
 * objects, and a proxy made on every read was most of what it allocated.
 */
function watcher(reads: WeakMap<object, FieldsRead>): (value: unknown) => unknown {
  const proxies = new WeakMap<object, object>();
  // A map's record is made on its first read: one the validator never looked into is not judged.
  const readOf = (target: object) => {
    let read = reads.get(target);
    if (!read) reads.set(target, (read = { keys: new Set(), anyKey: false }));
    return read;
  };
  // Declared before the handler that uses it, assigned after.
  let watch: (value: unknown) => unknown = value => value;
  const handler: ProxyHandler<object> = {
    get(t, key) {
      readOf(t).keys.add(key);
      return watch(Reflect.get(t, key));
    },
    has(t, key) {
      readOf(t).keys.add(key);
      return Reflect.has(t, key);
    },
    getOwnPropertyDescriptor(t, key) {
      readOf(t).keys.add(key);
      return Reflect.getOwnPropertyDescriptor(t, key);
    },
    ownKeys(t) {
      readOf(t).anyKey = true;
      return Reflect.ownKeys(t);
    },
  };
  watch = value => {
    if (!value || typeof value !== 'object') return value;
    let proxy = proxies.get(value);
    if (!proxy) proxies.set(value, (proxy = new Proxy(value, handler)));
    return proxy;
  };
  return watch;
}

/**
 * Field paths the schema does not know, as `kubectl apply` with strict
 * field validation rejects them. Maps the validator never looked into (free
 * form fields, or ones under a field of the wrong type) are not judged.
 */
function unknownFields(value: unknown, reads: WeakMap<object, FieldsRead>, path: string[] = [], found: string[][] = []): string[][] {
  if (!value || typeof value !== 'object') return found;
  // One path, extended and shortened in place: copied only for a field reported.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(String(i));
      unknownFields(value[i], reads, path, found);
      path.pop();
    }
    return found;
  }
  const read = reads.get(value);
  if (!read) return found;
  for (const key of Object.keys(value)) {
    // kubernetes-models leaves the schema extensions (x-kubernetes-preserve-unknown-fields…) out of its validators.
    if (read.anyKey || read.keys.has(key) || key.startsWith('x-kubernetes-')) {
      path.push(key);
      unknownFields((value as Record<string, unknown>)[key], reads, path, found);
      path.pop();
    } else {
      found.push([...path, key]);
    }
  }
  return found;
}

/**
 * The fields a kind's validator reads, learned from objects it passed: the
 * kubernetes-models validators read every property their schema declares
 * at a place, present or not, so what was read at a place of one valid
 * object is what the schema declares there. Objects of a kind seen before
 * are then checked for unknown fields against what was learned, without a
 * proxy around every object and field (a big deployment validates tens of
 * thousands of objects of a few kinds).
 */
interface LearnedMap {
  /** False: the validator never looked into this map (free-form); it is not judged. */
  read: boolean;
  anyKey: boolean;
  keys: Set<PropertyKey>;
  /** What lies under each key (under '*' for a map of free keys): a map, or a list. */
  children: Map<string, LearnedShape>;
}
interface LearnedList {
  items?: LearnedShape;
}
type LearnedShape = { map: LearnedMap } | { list: LearnedList };

/** Per `apiVersion/kind`: what was learned, or null once two valid objects disagreed (never learned again). */
const learnedKinds = new Map<string, LearnedShape | null>();

function isContainer(value: unknown): value is object {
  return !!value && typeof value === 'object';
}

/** Adds what the validator read of `value` to `shape`; false when it disagrees with what was learned before. */
function learn(value: object, reads: WeakMap<object, FieldsRead>, shape?: LearnedShape): LearnedShape | false {
  if (Array.isArray(value)) {
    if (shape && !('list' in shape)) return false;
    const list: LearnedList = shape ? shape.list : {};
    for (const item of value) {
      if (!isContainer(item)) continue;
      const items = learn(item, reads, list.items);
      if (!items) return false;
      list.items = items;
    }
    return { list };
  }
  if (shape && !('map' in shape)) return false;
  const read = reads.get(value);
  let map = shape?.map;
  if (!map) {
    map = { read: !!read, anyKey: !!read?.anyKey, keys: new Set(read?.keys), children: new Map() };
  } else if (map.read !== !!read || map.anyKey !== !!read?.anyKey || (read && !sameKeys(map.keys, read.keys))) {
    return false;
  }
  if (!map.read) return { map };
  for (const [key, child] of Object.entries(value)) {
    if (!isContainer(child)) continue;
    const name = map.anyKey ? '*' : key;
    const learned = learn(child, reads, map.children.get(name));
    if (!learned) return false;
    map.children.set(name, learned);
  }
  return { map };
}

function sameKeys(a: Set<PropertyKey>, b: Set<PropertyKey>): boolean {
  if (a.size !== b.size) return false;
  for (const key of a) if (!b.has(key)) return false;
  return true;
}

/**
 * {@link unknownFields} against what was learned of the kind; undefined when
 * `value` has a map or list where nothing was learned yet.
 */
function unknownLearnedFields(value: object, shape: LearnedShape | undefined, path: string[] = [], found: string[][] = []): string[][] | undefined {
  if (!shape) return undefined;
  if (Array.isArray(value)) {
    if (!('list' in shape)) return undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (!isContainer(item)) continue;
      path.push(String(i));
      const ok = unknownLearnedFields(item, shape.list.items, path, found);
      path.pop();
      if (!ok) return undefined;
    }
    return found;
  }
  if (!('map' in shape)) return undefined;
  const map = shape.map;
  if (!map.read) return found;
  for (const key of Object.keys(value)) {
    if (!(map.anyKey || map.keys.has(key) || key.startsWith('x-kubernetes-'))) {
      found.push([...path, key]);
      continue;
    }
    const child = (value as Record<string, unknown>)[key];
    if (!isContainer(child)) continue;
    path.push(key);
    const ok = unknownLearnedFields(child, map.children.get(map.anyKey ? '*' : key), path, found);
    path.pop();
    if (!ok) return undefined;
  }
  return found;
}

/**
 * Validates an object against the Kubernetes schema of its kind, unknown
 * fields rejected; kinds the schemas do not know (custom resources such as
 * ExternalSecret or an Argo CD Application) get the basic apiVersion, kind
 * and metadata.name checks. Messages name the object (`Deployment web`) and
 * the field path.
 *
 * @public
 */
export function validateKubernetesObject(object: unknown, source?: string): Diagnostic[] {
  const o = object as Partial<KubernetesObject> | null;
  const label = `${o?.kind ?? 'object'} ${o?.metadata?.name ?? '(unnamed)'}`;
  const problem = (path: string, message: string): Diagnostic => ({
    ...(source ? { file: source } : {}),
    path,
    message: `${label}: ${path}: ${message}`,
  });
  if (!o || typeof o !== 'object' || Array.isArray(o)) return [{ message: 'a Kubernetes object must be a map' }];
  const basic: Diagnostic[] = [];
  if (typeof o.apiVersion !== 'string' || !o.apiVersion) basic.push(problem('apiVersion', 'is required'));
  if (typeof o.kind !== 'string' || !o.kind) basic.push(problem('kind', 'is required'));
  if (!o.metadata || typeof o.metadata.name !== 'string') basic.push(problem('metadata.name', 'is required'));
  else if (!NAME.test(o.metadata.name)) basic.push(problem('metadata.name', `'${o.metadata.name}' is not a valid Kubernetes name (lowercase RFC 1123 subdomain)`));
  if (basic.length) return basic;
  const validate = validatorFor(o.apiVersion!, o.kind!);
  if (!validate) return [];
  const kindKey = `${o.apiVersion}/${o.kind}`;
  const learned = learnedKinds.get(kindKey);
  if (learned) {
    // A kind seen before: validated as it is, unknown fields found from what was learned.
    let valid = true;
    try {
      validate(o);
    } catch {
      valid = false;
    }
    const unknown = valid ? unknownLearnedFields(o, learned) : undefined;
    if (unknown) return unknown.map(path => problem(path.join('.'), `unknown field '${path[path.length - 1]}'`));
    // Invalid, or a map or list not seen before: validated again below, watched, to report as always.
  }
  const reads = new WeakMap<object, FieldsRead>();
  const problems: Diagnostic[] = [];
  try {
    validate(watcher(reads)(o));
  } catch (error) {
    const errors = (error as { errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] }).errors;
    if (!errors) return [problem('', (error as Error).message)];
    for (const e of errors) {
      const path = e.instancePath.slice(1).replace(/\//g, '.');
      const extra = e.params && 'additionalProperty' in e.params ? ` '${e.params.additionalProperty}'` : '';
      problems.push(problem(path, `${e.message ?? 'is invalid'}${extra}`));
    }
  }
  for (const path of unknownFields(o, reads)) {
    problems.push(problem(path.join('.'), `unknown field '${path[path.length - 1]}'`));
  }
  // Only a valid object's reads are complete: a validator stops at its first error.
  if (!problems.length && learned !== null) {
    const shape = learn(o, reads, learned);
    learnedKinds.set(kindKey, shape || null);
  }
  return problems;
}
