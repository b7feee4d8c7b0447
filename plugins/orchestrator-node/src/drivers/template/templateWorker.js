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

function renderSections(templates, data, limits, maxAliasCount, substituteSecrets) {
  const results = {};
  for (const section of SECTIONS) {
    const source = templates[section];
    if (source === undefined) continue;
    process.send({ section });
    let text;
    try {
      text = renderer.render(source, data, { limits });
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
    let parsed;
    try {
      parsed = text.trim() === '' ? {} : parse(text, { schema: 'core', maxAliasCount, logLevel: 'error' });
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

process.on('message', ({ templates, data, limits, maxAliasCount, taint }) => {
  let substituting = false;
  try {
    const rendered = renderSections(templates, { ...data }, limits, maxAliasCount, false);
    let substituted;
    if (taint) {
      substituting = true;
      const secretFree = { ...data, driver: { ...data.driver, secrets: substitute(data.driver.secrets) } };
      substituted = renderSections(templates, secretFree, limits, maxAliasCount, true);
    }
    process.send({ rendered, substituted });
  } catch (error) {
    const { section, kind, line } = error instanceof SectionError ? error : { kind: 'internal' };
    process.send({ error: { section, kind, message: error.message, line, substituted: substituting } });
  }
});

process.send({ ready: true });

// The parent went away: nothing left to do.
process.on('disconnect', () => process.exit(0));
