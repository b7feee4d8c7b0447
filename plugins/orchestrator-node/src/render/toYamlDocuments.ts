import { DEFAULT_SCHEMA, dump, DumpOptions, Schema } from 'js-yaml';
import { KubernetesObject } from './validateKubernetesObject';

/** How every document is written: block style, no anchors, no line folding, keys as given. */
const DUMP_OPTIONS: DumpOptions = { noRefs: true, lineWidth: -1, sortKeys: false };

/** The schema's implicit types (null, bool, int, float, timestamp, merge): a plain string one of them reads is quoted. */
const implicitTypes = compiledImplicitTypes(DEFAULT_SCHEMA);

interface ImplicitType {
  resolve(data: string): boolean;
}

/** js-yaml keeps a schema's implicit types, compiled, on the schema; its typings do not declare them. */
function compiledImplicitTypes(schema: Schema): ImplicitType[] {
  const compiled = 'compiledImplicit' in schema ? schema.compiledImplicit : undefined;
  if (!Array.isArray(compiled) || !compiled.every(isImplicitType)) {
    throw new Error("js-yaml's schema has no compiled implicit types (compiledImplicit): a js-yaml this writer does not know");
  }
  return compiled;
}

function isImplicitType(value: unknown): value is ImplicitType {
  return typeof value === 'object' && value !== null && 'resolve' in value && typeof value.resolve === 'function';
}

/**
 * A single-line ASCII string that may be written plain: printable, not
 * starting with an indicator or a space, not ending with a space or a colon,
 * no ` #` and no `: ` inside.
 */
const PLAIN_CANDIDATE = /^(?![-?:,[\]{}#&*!|=>'"%@`])[\x21-\x7e][\x20-\x7e]*$/;
const PLAIN_BREAKER = / #|: |[ :]$/;
/** Strings js-yaml quotes for YAML 1.1 readers (yes/no/on/off, base 60 numbers). */
const YAML11_LOOKALIKE = /^(?:[yYnN]|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|[-+]?[0-9_]+(?::[0-9_]+)+(?:\.[0-9_]*)?)$/;
/** Multi-line text written as a literal block: printable ASCII and line feeds only. */
const LITERAL_CANDIDATE = /^[\n\x20-\x7e]*$/;

/** A value this writer leaves to js-yaml for the whole document. */
class NotPlainData extends Error {}

/** js-yaml's own text for a scalar whose text does not depend on where it stands. */
function dumpScalar(value: string | number): string {
  return dump(value, DUMP_OPTIONS).slice(0, -1);
}

/**
 * The text of strings seen lately: keys and many values (names, ports,
 * protocols) repeat across the objects of a deployment. Emptied when full.
 */
const scalarCache = new Map<string, string>();
const SCALAR_CACHE_SIZE = 20_000;

function scalarString(value: string): string {
  let text = scalarCache.get(value);
  if (text === undefined) {
    text = scalarStringUncached(value);
    if (scalarCache.size >= SCALAR_CACHE_SIZE) scalarCache.clear();
    if (value.length <= 256) scalarCache.set(value, text);
  }
  return text;
}

function scalarStringUncached(value: string): string {
  if (value.length > 0 && PLAIN_CANDIDATE.test(value) && !PLAIN_BREAKER.test(value) && !YAML11_LOOKALIKE.test(value)) {
    let ambiguous = false;
    for (const type of implicitTypes) {
      if (type.resolve(value)) {
        ambiguous = true;
        break;
      }
    }
    if (!ambiguous) return value;
  }
  // Quoted (single or double as js-yaml picks): the same text at any depth of a document.
  if (!value.includes('\n')) return dumpScalar(value);
  throw new NotPlainData();
}

/** `|` literal block of a multi-line LITERAL_CANDIDATE whose value sits at `level` (indented two spaces a level). */
function literalBlock(value: string, level: number): string {
  const indent = ' '.repeat(2 * Math.max(1, level));
  const indentIndicator = /^\n* /.test(value) ? '2' : '';
  // Chomping: `-` strips a missing final line break, none clips one, `+` keeps several.
  let chomp = '-';
  if (value.endsWith('\n\n') || value === '\n') chomp = '+';
  else if (value.endsWith('\n')) chomp = '';
  const body = value.endsWith('\n') ? value.slice(0, -1) : value;
  // Empty lines stay empty; every other line is indented.
  return `|${indentIndicator}${chomp}\n${body
    .split('\n')
    .map(line => (line ? indent + line : line))
    .join('\n')}`;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return Object.prototype.toString.call(value) === '[object Object]';
}

/**
 * The text of a value that is not a non-empty mapping or sequence: written
 * after `key: ` or `- `.
 */
function scalarText(value: unknown, level: number): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      if (value.includes('\n') && LITERAL_CANDIDATE.test(value)) return literalBlock(value, level);
      return scalarString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isInteger(value) && !Object.is(value, -0) ? value.toString(10) : dumpScalar(value);
    case 'undefined':
      return undefined;
    default:
      throw new NotPlainData();
  }
}

const newlines: string[] = [];
/** A line break and the indentation of `level`. */
function newlineAt(level: number): string {
  return (newlines[level] ??= `\n${'  '.repeat(level)}`);
}

/*
 * writeMapping, writeSequence and writeValue write a document of plain data
 * (mappings, sequences, strings, numbers, booleans, null) into `out`: the
 * text js-yaml's dump makes with DUMP_OPTIONS, in one pass, without the
 * intermediate text of each level. Anything else throws NotPlainData.
 */

/** Writes the pairs of a mapping; false when it has none with a value (the caller writes `{}`). */
function writeMapping(map: Record<string, unknown>, level: number, compact: boolean, out: string[]): boolean {
  const newline = newlineAt(level);
  let first = true;
  for (const key of Object.keys(map)) {
    const value = map[key];
    if (value === undefined) continue;
    const keyText = scalarString(key);
    if (keyText.length > 1024) throw new NotPlainData(); // js-yaml writes an explicit `? ` key
    if (!(compact && first)) out.push(newline);
    first = false;
    out.push(keyText);
    writeValue(value, level + 1, false, out);
  }
  return !first;
}

function writeSequence(items: unknown[], level: number, compact: boolean, out: string[]): void {
  const newline = newlineAt(level);
  for (let i = 0; i < items.length; i++) {
    if (!(compact && i === 0)) out.push(newline);
    // A hole or undefined item is written as null, as js-yaml does.
    const item = items[i] === undefined ? null : items[i];
    writeValue(item, level + 1, true, out);
  }
}

/** A value after its key (`key: `) or as an item of a sequence (`- `). */
function writeValue(value: unknown, level: number, inSequence: boolean, out: string[]): void {
  const lead = inSequence ? '- ' : ': ';
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push(lead, '[]');
    } else if (inSequence) {
      // An item that is itself a sequence starts on the dash's line.
      out.push(lead);
      writeSequence(value, level, true, out);
    } else {
      out.push(':');
      writeSequence(value, level, false, out);
    }
    return;
  }
  if (isMapping(value)) {
    const mark = out.length;
    out.push(inSequence ? lead : ':');
    if (!writeMapping(value, level, inSequence, out)) {
      // No key, or none with a value: `{}`.
      out.length = mark;
      out.push(lead, '{}');
    }
    return;
  }
  const text = scalarText(value, level);
  if (text === undefined) throw new NotPlainData();
  out.push(lead, text);
}

/** One document's YAML, as `dump(object, DUMP_OPTIONS)` writes it. */
function yamlDocument(object: Record<string, unknown>): string {
  if (!isMapping(object) || !Object.keys(object).some(k => object[k] !== undefined)) return dump(object, DUMP_OPTIONS);
  const out: string[] = [];
  try {
    writeMapping(object, 0, true, out);
  } catch (error) {
    if (!(error instanceof NotPlainData)) throw error;
    return dump(object, DUMP_OPTIONS);
  }
  out.push('\n');
  return out.join('');
}

/**
 * Multi-document YAML of Kubernetes objects, keys in a stable order
 * (apiVersion, kind, metadata first) so Git diffs stay small.
 *
 * The text is js-yaml's (every file in a GitOps repository stays as it was),
 * written directly for plain data: js-yaml builds the text of every level of
 * a document and copies it into the level above, and a deployment of
 * thousands of workloads spent more memory on that than on anything else.
 * Values it cannot judge alone (quoted strings, floats) are written by
 * js-yaml itself; documents holding anything else are dumped whole by it.
 *
 * @public
 */
export function toYamlDocuments(objects: KubernetesObject[]): string {
  return objects.map(({ apiVersion, kind, metadata, ...rest }) => yamlDocument({ apiVersion, kind, metadata, ...rest })).join('---\n');
}
