import {
  Criterion,
  Diagnostic,
  formatDiagnostic,
  loadYaml,
  ResourceDefinition,
  ValidationError,
} from '@baton/backstage-plugin-orchestrator-common';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Document, isMap, isSeq, LineCounter, Node, parseDocument } from 'yaml';
import { CliIo } from '../io';

/** The fields of a score-k8s `cmd://` provisioner entry (score-k8s `cmdprov.Provisioner`); others are refused, as score-k8s refuses them. */
const CMD_FIELDS = ['uri', 'type', 'class', 'id', 'args', 'params', 'outputs', 'description', 'supported_params', 'expected_outputs'];
// Baton's resource type and class pattern, and its definition id pattern.
const TYPE = /^[A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9]$/;
const ID = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** One entry of a score-k8s provisioners file, as far as matching goes. */
interface Entry {
  index: number;
  uri: string;
  scheme: string;
  type?: string;
  class?: string;
  id?: string;
}

interface Imported {
  definition: ResourceDefinition;
  comments: string[];
}

/**
 * `baton definitions import FILE [--out DIR]`: the `cmd://` entries of a
 * score-k8s provisioners file as `command` resource definitions, printed as
 * YAML or written one file per definition. Entries that cannot be imported
 * (`template://` ones, and those score-k8s would never use) are listed on
 * stderr with the reason; invalid entries fail the import (exit 1).
 */
export async function runImportDefinitions(file: string, opts: { out?: string }, io: CliIo): Promise<number> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    io.stderr(`${formatDiagnostic({ file, message: code === 'ENOENT' ? 'file not found' : (error as Error).message })}\n`);
    return 1;
  }
  let raw: unknown;
  try {
    raw = loadYaml(text, file);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    for (const d of error.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
    return 1;
  }
  const locate = locator(text);
  const at = (fieldPath: (string | number)[], message: string): Diagnostic => ({
    file,
    ...locate(fieldPath),
    ...(fieldPath.length ? { path: fieldPath.join('.') } : {}),
    message,
  });
  if (!Array.isArray(raw)) {
    io.stderr(`${formatDiagnostic(at([], 'expected a score-k8s provisioners file: a list of provisioners (uri, type, …)'))}\n`);
    return 1;
  }

  const problems: Diagnostic[] = [];
  const notes: Diagnostic[] = [];
  const entries: Entry[] = [];
  raw.forEach((item, index) => {
    if (!isObject(item)) {
      problems.push(at([index], 'expected a provisioner: a map with uri and type'));
      return;
    }
    const uri = typeof item.uri === 'string' ? item.uri : '';
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1];
    if (!scheme) {
      problems.push(at([index, 'uri'], `missing uri scheme '${uri}' (cmd://… or template://…)`));
      return;
    }
    const entry: Entry = { index, uri, scheme, ...matching(item) };
    if (scheme === 'template') {
      entries.push(entry);
      notes.push(
        at([index], `not imported: ${uri}: template provisioners are Go templates (text/template with sprig), which Baton's template driver (nunjucks) does not run; write it as a template definition`),
      );
      return;
    }
    if (scheme !== 'cmd') {
      problems.push(at([index, 'uri'], `unsupported provisioner type '${scheme}'`));
      return;
    }
    const before = problems.length;
    for (const key of Object.keys(item)) {
      if (!CMD_FIELDS.includes(key)) problems.push(at([index, key], `unknown field '${key}' of a cmd provisioner (known: ${CMD_FIELDS.join(', ')})`));
    }
    problems.push(...cmdUriProblems(uri).map(message => at([index, 'uri'], message)));
    if (typeof item.type !== 'string' || !item.type) problems.push(at([index, 'type'], 'type not set'));
    for (const key of ['class', 'id', 'description'] as const) {
      if (item[key] !== undefined && item[key] !== null && typeof item[key] !== 'string') problems.push(at([index, key], 'must be a string'));
    }
    if (item.args !== undefined && item.args !== null && !(Array.isArray(item.args) && item.args.every(isScalar))) {
      problems.push(at([index, 'args'], 'must be a list of strings'));
    }
    if (problems.length === before) entries.push(entry);
  });
  if (problems.length) {
    for (const d of problems) io.stderr(`${formatDiagnostic(d)}\n`);
    return 1;
  }

  const imported: Imported[] = [];
  const ids = new Set<string>();
  for (const entry of entries) {
    if (entry.scheme !== 'cmd') continue;
    const item = raw[entry.index] as Record<string, unknown>;
    const where = locate([entry.index]);
    const reason = unimportable(entry);
    if (reason) {
      notes.push(at([entry.index], `not imported: ${entry.uri}: ${reason}`));
      continue;
    }
    // score-k8s uses the first provisioner that matches: what an earlier entry serves, this one never does.
    const criteria: Criterion[] = [];
    let shadowedBy: Entry | undefined;
    for (const criterion of criteriaOf(entry)) {
      const earlier = entries.find(e => e.index < entry.index && covers(e, entry.type!, criterion));
      if (earlier) shadowedBy ??= earlier;
      else criteria.push(criterion);
    }
    if (!criteria.length) {
      notes.push(
        at([entry.index], `not imported: ${entry.uri}: score-k8s never uses it: entry ${shadowedBy!.index} (${shadowedBy!.uri}, line ${locate([shadowedBy!.index]).line}) comes first and matches every resource it would`),
      );
      continue;
    }
    const id = uniqueId(definitionId(entry), ids);
    const args = Array.isArray(item.args) ? item.args.map(String) : undefined;
    const comments = [
      `Imported from score-k8s provisioner ${entry.uri} (${file}${where.line ? `:${where.line}` : ''}).`,
      'Its executable must be allowed by the backend: orchestrator.drivers.command.allow.',
    ];
    if (entry.class === undefined) {
      comments.push('class is not set: score-k8s uses it for every class, Baton for class default only (add criteria with class for others).');
    }
    if (shadowedBy) {
      comments.push(`Some resources it would match go to entry ${shadowedBy.index} (${shadowedBy.uri}), which comes first: their criteria are left out.`);
    }
    const description = [
      typeof item.description === 'string' ? item.description.trim().replace(/([^.!?])$/, '$1.') : '',
      listed('Supported params', item.supported_params),
      listed('Expected outputs', item.expected_outputs),
    ].filter(Boolean).join(' ');
    imported.push({
      comments,
      definition: {
        apiVersion: 'baton.dev/v1',
        kind: 'ResourceDefinition',
        metadata: { id, name: `score-k8s provisioner ${entry.uri}`, ...(description ? { description } : {}) },
        spec: {
          type: entry.type!,
          driver: 'command',
          driverInputs: {
            values: {
              command: entry.uri,
              // Passed as written: the command driver does not substitute placeholders in args, as score-k8s does not.
              ...(args ? { args } : {}),
            },
          },
          criteria,
        },
      } as ResourceDefinition,
    });
  }

  for (const d of notes.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))) io.stderr(`${formatDiagnostic(d)}\n`);
  const texts = imported.map(({ definition, comments }) => {
    const doc = new Document(definition);
    doc.commentBefore = comments.map(c => ` ${c}`).join('\n');
    return doc.toString({ lineWidth: 0 });
  });
  if (opts.out) {
    await fs.mkdir(opts.out, { recursive: true });
    for (let i = 0; i < imported.length; i++) {
      const target = path.join(opts.out, `${imported[i].definition.metadata.id}.yaml`);
      await fs.writeFile(target, texts[i], 'utf8');
      io.stdout(`wrote ${target}\n`);
    }
  } else {
    io.stdout(texts.join('---\n'));
  }
  return 0;
}

/** What a score-k8s entry matches: type, and class and id when set (null is unset). */
function matching(item: Record<string, unknown>): Pick<Entry, 'type' | 'class' | 'id'> {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { type: str(item.type), class: str(item.class), id: str(item.id) };
}

/** Why an entry cannot be a Baton definition, when it cannot. */
function unimportable(entry: Entry): string | undefined {
  if (!TYPE.test(entry.type!)) return `type '${entry.type}' is not a Baton resource type (letters, digits and -, alphanumeric at both ends)`;
  if (entry.class !== undefined && !TYPE.test(entry.class)) return `class '${entry.class}' is not a Baton class (letters, digits and -, alphanumeric at both ends)`;
  return undefined;
}

/**
 * Baton criteria for what a score-k8s entry matches. score-k8s's `id` is the
 * resource's id there: a shared resource's Score `id` (Baton `shared.<id>`),
 * or `<workload>.<resource>` for a workload's own resource (Baton
 * `modules.<workload>.externals.<resource>`); an id of two labels may be
 * either, so both are criteria.
 */
function criteriaOf(entry: Entry): Criterion[] {
  const base: Criterion = entry.class !== undefined ? { class: entry.class } : {};
  if (entry.id === undefined) return [base];
  const resIds = [`shared.${entry.id}`];
  const own = /^([a-z0-9][a-z0-9-]*[a-z0-9])\.([a-z0-9][a-z0-9-]*[a-z0-9])$/.exec(entry.id);
  if (own) resIds.push(`modules.${own[1]}.externals.${own[2]}`);
  return resIds.map(resId => ({ ...base, resId }));
}

/** Whether a score-k8s entry matches every resource a Baton criterion of `type` does. */
function covers(earlier: Entry, type: string, criterion: Criterion): boolean {
  if (earlier.type !== type) return false;
  if (earlier.class !== undefined && earlier.class !== (criterion.class ?? 'default')) return false;
  if (earlier.id === undefined) return true;
  return criterion.resId !== undefined && criteriaOf({ ...earlier, class: undefined }).some(c => c.resId === criterion.resId);
}

/** The definition id: the URI's fragment (score-k8s's way of naming a provisioner), else type, class and id. */
function definitionId(entry: Entry): string {
  const fragment = entry.uri.includes('#') ? entry.uri.slice(entry.uri.indexOf('#') + 1) : '';
  const sanitize = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
      .slice(0, 200);
  return sanitize(fragment) || sanitize([entry.type, entry.class, entry.id].filter(Boolean).join('-')) || 'command';
}

function uniqueId(id: string, taken: Set<string>): string {
  let candidate = id;
  for (let n = 2; taken.has(candidate) || !ID.test(candidate); n++) candidate = `${id}-${n}`;
  taken.add(candidate);
  return candidate;
}

/** score-k8s's checks of a `cmd://` URI (cmdprov.Parse). */
function cmdUriProblems(uri: string): string[] {
  const m = /^cmd:\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/.exec(uri);
  if (!m) return [`${uri} is not a cmd:// URI (cmd://name, cmd:///absolute/path, cmd://./relative/path or cmd://~/path)`];
  const [, host, rest, query] = m;
  if (host.includes('@')) return ['cmd provisioner uri cannot contain user info'];
  if (host.includes(':')) return ['cmd provisioner uri cannot contain a port'];
  if (query && query.length > 1) return ['cmd provisioner uri cannot contain query params'];
  if (!['', '~', '.', '..'].includes(host) && rest.split('/').some(Boolean)) {
    return ['direct command reference cannot contain additional path parts'];
  }
  return [];
}

function listed(label: string, value: unknown): string {
  return Array.isArray(value) && value.length ? `${label}: ${value.map(String).join(', ')}.` : '';
}

/** Line and column of a field of the file, parsed again with positions only when needed. */
function locator(text: string): (fieldPath: (string | number)[]) => { line?: number; column?: number } {
  let parsed: { doc: ReturnType<typeof parseDocument>; lines: LineCounter } | undefined;
  return fieldPath => {
    if (!parsed) {
      const lines = new LineCounter();
      parsed = { doc: parseDocument(text, { lineCounter: lines }), lines };
    }
    let node = parsed.doc.contents as Node | null;
    let best = node;
    for (const segment of fieldPath) {
      if (isSeq(node) && typeof segment === 'number') node = (node.items[segment] as Node | undefined) ?? null;
      else if (isMap(node)) {
        const pair = node.items.find(p => String((p.key as { value?: unknown })?.value) === String(segment));
        node = pair ? ((pair.value as Node | null) ?? (pair.key as Node)) : null;
      } else node = null;
      if (!node) break;
      best = node;
    }
    const offset = best?.range?.[0];
    if (offset === undefined) return {};
    const pos = parsed.lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
