import { PLACEHOLDER_PATTERN } from '@baton/backstage-plugin-orchestrator-common';
import { PlaceholderLookup, ResolvedValue, ResourceReference } from './types';
import { lookupPath, lookupResourceOutput, ResourceOutputs, splitRefParts } from './substitution';

const NAME = '[A-Za-z0-9][A-Za-z0-9-]*';
// resources.<type>[.<class>][#<resId>].outputs[.<key>…]
const DOTTED = new RegExp(
  `^resources\\.(${NAME})(?:\\.(${NAME}))?(?:#([^\\s#]+?))?\\.outputs(?:\\.(.+))?$`,
);
// resources['<type>[.<class>][#<resId>]'].outputs[.<key>…] for ids with dots
const BRACKET = new RegExp(
  `^resources\\[['"](${NAME})(?:\\.(${NAME}))?(?:#([^'"]+))?['"]\\]\\.outputs(?:\\.(.+))?$`,
);

/**
 * Parses the text inside `${…}` as a reference to another resource's
 * outputs, or returns undefined when it is not one. Forms:
 * `resources.<type>[.<class>][#<resId>].outputs.<key>` and, when the class
 * or resource id is easier to quote, `resources['<type>.<class>#<resId>'].outputs.<key>`.
 *
 * @public
 */
export function parseResourceReference(ref: string): ResourceReference | undefined {
  const m = DOTTED.exec(ref) ?? BRACKET.exec(ref);
  if (!m) return undefined;
  return {
    type: m[1],
    class: m[2] ?? 'default',
    resId: m[3],
    outputPath: m[4] ? splitRefParts(m[4]) : [],
    placeholder: `\${${ref}}`,
  };
}

/**
 * Every resource reference in a definition's inputs (strings anywhere in
 * maps and lists), in order of appearance. Escaped `$${…}` is skipped.
 *
 * @public
 */
export function findResourceReferences(value: unknown): ResourceReference[] {
  const found: ResourceReference[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      if (v.indexOf('${') < 0) return;
      for (const m of v.matchAll(PLACEHOLDER_PATTERN)) {
        if (m[0].startsWith('$$') || m[2] === undefined) continue;
        const reference = parseResourceReference(m[2]);
        if (reference) found.push(reference);
      }
    } else if (Array.isArray(v)) {
      v.forEach(walk);
    } else if (v && typeof v === 'object') {
      Object.values(v).forEach(walk);
    }
  };
  walk(value);
  return found;
}

/**
 * A node's uid: `<type>.<class>#<resId>`.
 *
 * @public
 */
export function resourceUid(type: string, klass: string | undefined, resId: string): string {
  return `${type}.${klass ?? 'default'}#${resId}`;
}

/** The context a definition's placeholders read (`${context.…}`). @public */
export interface DefinitionContext {
  app: { id: string };
  env: { id: string; type: string };
  res: { id: string; guresid: string; type: string; class: string };
}

/**
 * The definition-side lookup: `${context.app.id}`, `${context.env.id}`,
 * `${context.env.type}`, `${context.res.id|guresid|type|class}` and
 * references to other resources' outputs, a missing `#resId` meaning the
 * referencing node's own resId. Reading a secret output makes the value
 * secret.
 *
 * @public
 */
export function definitionLookup(options: {
  context: DefinitionContext;
  outputsOf: (ref: { type: string; class: string; resId: string }) => ResourceOutputs | undefined;
}): PlaceholderLookup {
  return (parts, ref): ResolvedValue => {
    if (parts[0] === 'context') {
      if (parts.length < 3) {
        throw new Error('use context.app.id, context.env.id, context.env.type or context.res.<id|guresid|type|class>');
      }
      return { value: lookupPath(options.context, parts.slice(1)), secret: false };
    }
    if (parts[0] === 'resources' || ref.startsWith('resources[')) {
      const reference = parseResourceReference(ref);
      if (!reference) {
        throw new Error('expected resources.<type>[.<class>][#<resId>].outputs.<key>');
      }
      const target = {
        type: reference.type,
        class: reference.class,
        resId: reference.resId ?? options.context.res.id,
      };
      const outputs = options.outputsOf(target);
      if (!outputs) {
        throw new Error(`resource ${resourceUid(target.type, target.class, target.resId)} has not been provisioned`);
      }
      if (!reference.outputPath.length) {
        return { value: outputs.outputs, secret: false };
      }
      return lookupResourceOutput(outputs, reference.outputPath);
    }
    throw new Error('unknown reference root, use $$ to escape the substitution');
  };
}
