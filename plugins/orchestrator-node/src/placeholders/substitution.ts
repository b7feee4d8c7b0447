import { PLACEHOLDER_PATTERN } from '@baton/backstage-plugin-orchestrator-common';
import { PlaceholderLookup, ResolvedValue } from './types';

// score-go framework/substitution.go: `${…}`, `$${…}` and `$$`.

/**
 * Splits a reference on `.`, where `\.` stands for a literal dot
 * (`metadata.annotations.key\.com/foo`).
 *
 * @public
 */
export function splitRefParts(ref: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < ref.length; i++) {
    const c = ref[i];
    if (c === '\\' && ref[i + 1] === '.') {
      current += '.';
      i++;
    } else if (c === '.') {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

/** Collected errors of one substitution; messages as score-go writes them. */
export class SubstitutionError extends Error {
  /** `placeholders[i]` is the `${…}` text problem i is about, to locate it in the file. */
  constructor(readonly problems: string[], readonly placeholders: string[] = []) {
    super(problems.join('\n'));
    this.name = 'SubstitutionError';
  }
}

/**
 * Substitutes every placeholder of a string exactly as score-go does: `$$`
 * becomes `$`, `$${x}` becomes `${x}`, a lone `$` stays, strings are inserted
 * as they are and other values JSON-encoded. Every error of the string is
 * collected into one {@link SubstitutionError}.
 *
 * @public
 */
export function substituteString(
  input: string,
  lookup: PlaceholderLookup,
): ResolvedValue<string> {
  if (input.indexOf('$') < 0) return { value: input, secret: false };
  let secret = false;
  const problems: string[] = [];
  const placeholders: string[] = [];
  const value = input.replace(PLACEHOLDER_PATTERN, (match: string, _inner: string, ref?: string) => {
    if (match.startsWith('$$')) return match.slice(1);
    try {
      const resolved = lookup(splitRefParts(ref!), ref!);
      if (resolved.secret) secret = true;
      return typeof resolved.value === 'string'
        ? resolved.value
        : JSON.stringify(resolved.value);
    } catch (error) {
      problems.push(`invalid ref '${ref}': ${(error as Error).message}`);
      placeholders.push(match);
      return match;
    }
  });
  if (problems.length) throw new SubstitutionError(problems, placeholders);
  return { value, secret };
}

/**
 * Substitutes placeholders in every string of a JSON-like value (maps and
 * lists copied). Errors carry the path as score-go does: `a: 0: b: …`.
 *
 * @public
 */
export function substituteValue(
  value: unknown,
  lookup: PlaceholderLookup,
): ResolvedValue<unknown> {
  const problems: string[] = [];
  let secret = false;
  const walk = (v: unknown, prefix: string): unknown => {
    if (typeof v === 'string') {
      try {
        const r = substituteString(v, lookup);
        if (r.secret) secret = true;
        return r.value;
      } catch (error) {
        for (const p of (error as SubstitutionError).problems ?? [(error as Error).message]) {
          problems.push(prefix + p);
        }
        return v;
      }
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, `${prefix}${i}: `));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[k] = walk(item, `${prefix}${k}: `);
      return out;
    }
    return v;
  };
  const result = walk(value, '');
  if (problems.length) throw new SubstitutionError(problems);
  return { value: result, secret };
}

/**
 * Looks a key path up in a map, with score-go's messages.
 *
 * @public
 */
export function lookupPath(context: unknown, keys: string[]): unknown {
  let current = context;
  for (const key of keys) {
    if (!current || typeof current !== 'object' || Array.isArray(current)) {
      throw new Error(`cannot lookup key '${key}', context is not a map`);
    }
    if (!Object.prototype.hasOwnProperty.call(current, key)) {
      throw new Error(`key '${key}' not found`);
    }
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** What a Score resource offers to `${resources.<name>…}`. @public */
export interface ResourceOutputs {
  outputs: Record<string, unknown>;
  /** Secret outputs: reading one makes the value secret. */
  secrets?: Record<string, unknown>;
}

/**
 * The Score-side lookup: `${metadata.<k>…}` in the workload metadata and
 * `${resources.<name>.<k>…}` in that resource's outputs (secret ones
 * tracked). A resource may supply its own lookup function instead.
 *
 * @public
 */
export function scoreLookup(options: {
  metadata: Record<string, unknown>;
  resources: Record<string, ResourceOutputs | ((keys: string[]) => ResolvedValue)>;
}): PlaceholderLookup {
  return parts => {
    const [root, ...rest] = parts;
    if (root === 'metadata') {
      if (!rest.length) throw new Error('requires at least a metadata key to lookup');
      return { value: lookupPath(options.metadata, rest), secret: false };
    }
    if (root === 'resources') {
      const [name, ...keys] = rest;
      if (name === undefined || name === '') {
        throw new Error('requires at least a resource name to lookup');
      }
      const resource = Object.prototype.hasOwnProperty.call(options.resources, name)
        ? options.resources[name]
        : undefined;
      if (!resource) throw new Error(`no known resource '${name}'`);
      if (typeof resource === 'function') return resource(keys);
      return lookupResourceOutput(resource, keys);
    }
    throw new Error('unknown reference root, use $$ to escape the substitution');
  };
}

/**
 * Reads `keys` from a resource's outputs, secret outputs first. Reading the
 * whole outputs map (no keys) is an error, as in score-go.
 *
 * @public
 */
export function lookupResourceOutput(
  resource: ResourceOutputs,
  keys: string[],
): ResolvedValue {
  if (!keys.length) throw new Error('at least one lookup key is required');
  const [first, ...rest] = keys;
  if (resource.secrets && Object.prototype.hasOwnProperty.call(resource.secrets, first)) {
    return { value: lookupPath(resource.secrets[first], rest), secret: true };
  }
  return { value: lookupPath(resource.outputs, keys), secret: false };
}
