'use strict';

/*
 * Worker process of the template driver: renders a resource's sections and
 * parses each as YAML, away from the backend's process, so that a hostile
 * template is bounded by the worker's heap limit (exceeding it ends only the
 * worker; a worker thread's heap limit does not hold against one huge
 * allocation) and stopped by killing the worker. Plain JavaScript so that it
 * runs as it is from the sources (tests, CLI) and from the published package.
 *
 * Request: { templates, data, limits, maxAliasCount, taint }. The worker
 * posts { ready: true } once loaded, { section } as each section starts, then
 * { rendered, substituted? } or { error: { section, kind, message, line?, substituted } }.
 *
 * With `taint`, the sections are rendered a second time with every secret
 * value (driver.secrets, then the secrets section) replaced by a different
 * value: whatever differs between the two renders derives from a secret.
 *
 * Required as a module (not forked), it exports the same rendering for
 * templates that cannot loop or allocate (see isPlainSubstitution), which the
 * driver renders in the calling thread.
 */
const { randomBytes } = require('node:crypto');
const { createTemplateRenderer, TemplateLimitError, TemplateRenderError } = require('nunjitsu');
const { parse } = require('yaml');

const SECTIONS = ['init', 'outputs', 'secrets', 'manifests', 'cookie'];
const renderer = createTemplateRenderer({ cookiecutterCompat: true });

class SectionError extends Error {
  constructor(section, kind, message, line) {
    super(message);
    this.section = section;
    this.kind = kind;
    this.line = line;
  }
}

/** A section rendered to more text than the caller parses in its own thread. */
class TextTooLong extends Error {}

function renderSections(templates, data, options, substituteSecrets) {
  const { limits, maxAliasCount, onSection, maxTextLength } = options;
  const results = {};
  for (const section of SECTIONS) {
    const source = templates[section];
    if (source === undefined) continue;
    onSection(section);
    let text;
    try {
      text = renderPlainSubstitution(source, data, limits) ?? renderer.render(source, data, { limits });
    } catch (error) {
      if (error instanceof TemplateLimitError) {
        throw new SectionError(section, 'limit', error.message.replace(/^Template /, ''), error.line);
      }
      if (error instanceof TemplateRenderError) {
        throw new SectionError(section, 'render', error.message.replace(/^Template error /, ''));
      }
      // e.g. a string over V8's maximum length
      throw new SectionError(section, 'limit', error.message);
    }
    if (text.length > maxTextLength) throw new TextTooLong();
    let parsed;
    try {
      parsed = text.trim() === '' ? {} : (parsePlainMap(text) ?? parse(text, { schema: 'core', maxAliasCount, logLevel: 'error' }));
    } catch (error) {
      if (error instanceof ReferenceError) {
        throw new SectionError(section, 'aliases', `rendered YAML whose aliases expand beyond the limit of ${maxAliasCount}`);
      }
      // The message without the quoted source lines, which may hold secret values.
      const reason = String(error.message).split(' at line ')[0];
      throw new SectionError(section, 'yaml', reason, error.linePos && error.linePos[0].line);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new SectionError(section, 'shape', 'did not render to a YAML map');
    }
    if (section === 'secrets' && substituteSecrets) parsed = substitute(parsed);
    results[section] = parsed;
    data[section] = parsed;
  }
  return results;
}

/** A value of the same shape with every leaf replaced by a different one. */
function substitute(value) {
  if (Array.isArray(value)) return value.map(substitute);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v)]));
  }
  if (typeof value === 'boolean') return !value;
  const marker = `s${randomBytes(12).toString('hex')}`;
  return typeof value === 'string' && value.length === marker.length ? `${marker}x` : marker;
}

/*
 * Rendered sections are mostly lines of `key: value` with plain words and small
 * numbers; those are read here as the `yaml` package's core schema reads them,
 * in a fraction of its time. Anything else (quotes, spaces, nesting, comments,
 * other numbers, a repeated key) is left to the `yaml` package.
 */
const PLAIN_LINE = /^([A-Za-z][A-Za-z0-9_-]*): ([A-Za-z0-9][A-Za-z0-9._/-]*)$/;
const NULL_OR_BOOLEAN = /^(?:[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const SMALL_INTEGER = /^(?:0|[1-9][0-9]{0,14})$/;

/** A flat map of plain words and small integers, or undefined for anything else. */
function parsePlainMap(text) {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const map = {};
  for (const line of lines) {
    const match = PLAIN_LINE.exec(line);
    if (!match) return undefined;
    const [, key, word] = match;
    if (NULL_OR_BOOLEAN.test(key) || Object.hasOwn(map, key)) return undefined;
    if (word.charCodeAt(0) <= 0x39) {
      if (!SMALL_INTEGER.test(word)) return undefined;
      map[key] = Number(word);
    } else if (NULL_OR_BOOLEAN.test(word)) {
      map[key] = /^n/i.test(word) ? null : /^t/i.test(word);
    } else {
      map[key] = word;
    }
  }
  return lines.length > 0 ? map : undefined;
}

const PATH_ONLY = /^\s*[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\s*$/;

/**
 * A template of text and `{{ a.b.c }}` lookups only: no statements, filters,
 * calls or operators, so its work is bounded by its length and its output by
 * the output limit. Such a template cannot loop or allocate without bound.
 */
function isPlainSubstitution(source) {
  if (source.includes('{%') || source.includes('{#')) return false;
  for (let index = 0; ; ) {
    const open = source.indexOf('{{', index);
    if (open < 0) return true;
    const close = source.indexOf('}}', open + 2);
    if (close < 0 || !PATH_ONLY.test(source.slice(open + 2, close))) return false;
    index = close + 2;
  }
}

/*
 * Most templates are text and `{{ a.b }}` lookups of strings and numbers. For
 * those, with data nunjitsu takes as it is and limits no lower than its own,
 * the text is put together here as nunjitsu puts it together (a string as it
 * is, a number as JavaScript writes it, a boolean as true or false, null as
 * nothing) without parsing the template and copying the data for each render.
 * Anything else (a missing value, a record, other syntax, a reserved or
 * keyword name, odd data) is left to nunjitsu, errors included.
 */
const RESERVED_NAMES = new Set(['constructor', 'prototype', '__proto__']);
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else', 'elif', 'for', 'true', 'false', 'none', 'True', 'False', 'None', 'null', 'undefined', 'loop', 'caller', 'super', 'self', 'varargs', 'kwargs']);
const LOOKUP = /^[ \t]*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)[ \t]*$/;
const NUNJITSU_MINIMUM_LIMITS = { sourceCodeUnits: 4 * 1024 * 1024, astNodes: 1e6, workUnits: 1e6, nestingDepth: 512, scratchBytes: 64 * 1024 * 1024, capabilityCalls: 4096 };
const PLAIN_SOURCE_LENGTH = 4096;
const PLAIN_DATA_ENTRIES = 2048;
const PLAIN_DATA_DEPTH = 64;
/** Sources seen, with their text and lookups (or null: left to nunjitsu). */
const plainTemplates = new Map();

/** [text, path, text, path, …, text], or null. */
function plainTemplate(source) {
  let parts = plainTemplates.get(source);
  if (parts !== undefined) return parts;
  parts = splitPlainTemplate(source);
  if (plainTemplates.size >= 1000) plainTemplates.clear();
  plainTemplates.set(source, parts);
  return parts;
}

function splitPlainTemplate(source) {
  if (source.length > PLAIN_SOURCE_LENGTH) return null;
  const parts = [];
  for (let index = 0; ; ) {
    const open = source.indexOf('{{', index);
    const text = source.slice(index, open < 0 ? undefined : open);
    if (/[{}]/.test(text)) return null;
    parts.push(text);
    if (open < 0) return parts;
    const close = source.indexOf('}}', open + 2);
    const lookup = close < 0 ? null : LOOKUP.exec(source.slice(open + 2, close));
    if (!lookup) return null;
    const path = lookup[1].split('.');
    if (path.some(name => RESERVED_NAMES.has(name) || KEYWORDS.has(name))) return null;
    parts.push(path);
    index = close + 2;
  }
}

/** Whether nunjitsu copies the value as it is: records, arrays and scalars, no reserved or hidden keys. */
function isPlainData(value, budget, depth) {
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return true;
  if (typeof value !== 'object' || depth > PLAIN_DATA_DEPTH) return false;
  const keys = Reflect.ownKeys(value);
  budget.entries -= keys.length;
  if (budget.entries < 0) return false;
  const prototype = Object.getPrototypeOf(value);
  const isArray = Array.isArray(value);
  if (isArray ? prototype !== Array.prototype : prototype !== Object.prototype && prototype !== null) return false;
  for (const key of keys) {
    if (isArray && key === 'length') continue;
    if (typeof key !== 'string' || RESERVED_NAMES.has(key)) return false;
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (!descriptor.enumerable || !('value' in descriptor) || !isPlainData(descriptor.value, budget, depth + 1)) return false;
  }
  return !isArray || keys.length === value.length + 1;
}

/** The rendered text, or undefined when it is nunjitsu's to render. */
function renderPlainSubstitution(source, data, limits) {
  const parts = plainTemplate(source);
  if (!parts) return undefined;
  for (const [name, minimum] of Object.entries(NUNJITSU_MINIMUM_LIMITS)) {
    if (limits[name] !== undefined && !(limits[name] >= minimum)) return undefined;
  }
  if (!isPlainData(data, { entries: PLAIN_DATA_ENTRIES }, 0)) return undefined;
  let text = parts[0];
  for (let i = 1; i < parts.length; i += 2) {
    let value = data;
    for (const name of parts[i]) {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, name)) return undefined;
      value = value[name];
    }
    if (typeof value === 'string') text += value;
    else if (typeof value === 'number') text += `${value}`;
    else if (typeof value === 'boolean') text += value ? 'true' : 'false';
    else if (value !== null) return undefined;
    text += parts[i + 1];
  }
  return limits.outputCodeUnits !== undefined && text.length > limits.outputCodeUnits ? undefined : text;
}

/**
 * Renders a job to its reply. `maxTextLength`: a section rendering to more
 * text than that returns undefined (the caller renders the job elsewhere).
 */
function renderTemplateJob({ templates, data, limits, maxAliasCount, taint }, { onSection = () => {}, maxTextLength = Infinity } = {}) {
  const options = { limits, maxAliasCount, onSection, maxTextLength };
  let substituting = false;
  try {
    const rendered = renderSections(templates, { ...data }, options, false);
    let substituted;
    if (taint) {
      substituting = true;
      const secretFree = { ...data, driver: { ...data.driver, secrets: substitute(data.driver.secrets) } };
      substituted = renderSections(templates, secretFree, options, true);
    }
    return { rendered, substituted };
  } catch (error) {
    if (error instanceof TextTooLong) return undefined;
    const { section, kind, line } = error instanceof SectionError ? error : { kind: 'internal' };
    return { error: { section, kind, message: error.message, line, substituted: substituting } };
  }
}

module.exports = { renderTemplateJob, isPlainSubstitution, parsePlainMap, renderPlainSubstitution };

if (require.main === module) {
  process.on('message', job => {
    const reply = renderTemplateJob(job, { onSection: section => process.send({ section }) });
    try {
      process.send(reply);
    } catch (error) {
      process.send({ error: { kind: 'internal', message: error.message, substituted: false } });
    }
  });

  process.send({ ready: true });

  // The parent went away: nothing left to do.
  process.on('disconnect', () => process.exit(0));
}
