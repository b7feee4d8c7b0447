import { PLACEHOLDER_PATTERN } from '../placeholders';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import { Diagnostic, ValidationError } from '../diagnostics';
import { FieldPath } from '../yaml/YamlLocator';
import { ScoreFieldLocator, scoreFieldLocator } from './scoreFieldLocator';
import { loadYaml } from '../yaml/loadYaml';
import { Problem, schemaProblems, toDiagnostics } from '../validation/schemaProblems';
import { PATTERN_DESCRIPTIONS, scoreWorkloadSchema } from './schema';
import { ScoreWorkload } from './types';
import { upgradeDeprecatedForms } from './upgrade';

let compiled: ValidateFunction<ScoreWorkload> | undefined;
/** The Score schema's validator: a workload it accepts is a {@link ScoreWorkload}. */
function schemaValidator(): ValidateFunction<ScoreWorkload> {
  // Compiled once, on first use: it is the hot path of parsing many files.
  compiled ??= new Ajv2020({ allErrors: true, strict: false }).compile<ScoreWorkload>(scoreWorkloadSchema);
  return compiled;
}

/**
 * Compiles the Score schema's validator now (it takes tens of milliseconds):
 * a server calls this at start rather than in its first request.
 *
 * @public
 */
export function loadScoreValidator(): void {
  schemaValidator();
}

/** The result of validating one Score file: the workload, or the problems. @public */
export interface ScoreParseResult {
  workload?: ScoreWorkload;
  diagnostics: Diagnostic[];
}

/**
 * Parses and validates a Score file without throwing: YAML syntax, the
 * score.dev/v1b1 JSON Schema (unknown fields are errors) and score-go's
 * placeholder and `before` rules, every problem with file, line, column and
 * field path. Deprecated array forms of `files` and `volumes` are upgraded.
 *
 * @public
 */
export function parseScoreResult(text: string, file: string): ScoreParseResult {
  let raw: unknown;
  try {
    raw = loadYaml(text, file);
  } catch (error) {
    if (error instanceof ValidationError) return { diagnostics: error.diagnostics };
    throw error;
  }
  return checkWorkload(raw, file, () => scoreFieldLocator(text));
}

/**
 * Parses and validates a Score file; throws {@link ValidationError} with
 * every problem found.
 *
 * @public
 */
export function parseScore(text: string, file: string): ScoreWorkload {
  const { workload, diagnostics } = parseScoreResult(text, file);
  if (!workload) throw new ValidationError(diagnostics);
  return workload;
}

/**
 * Validates an already-parsed workload (e.g. JSON from the REST API);
 * problems name the field path but no line.
 *
 * @public
 */
export function validateScoreWorkload(value: unknown, file: string): Diagnostic[] {
  return checkWorkload(value, file).diagnostics;
}

function checkWorkload(
  raw: unknown,
  file: string,
  locator?: () => ScoreFieldLocator,
): ScoreParseResult {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    return { diagnostics: [{ file, line: 1, column: 1, message: 'a Score file must hold one YAML map (the workload)' }] };
  }
  const { workload, problems: upgradeProblems } = upgradeDeprecatedForms(raw as Record<string, unknown>);
  const validate = schemaValidator();
  const problems: Problem[] = [...upgradeProblems];
  if (!validate(workload)) {
    problems.push(
      ...schemaProblems(validate.errors ?? [], {
        patterns: PATTERN_DESCRIPTIONS,
        oneOf: 'needs exactly one of content, binaryContent or source',
        anyOf: 'needs httpGet or exec',
      }),
    );
    // Placeholders are checked even when the schema fails, so every problem comes at once.
    problems.push(...placeholderProblems(workload));
    return { diagnostics: toDiagnostics(problems, file, locator?.()) };
  }
  problems.push(...placeholderProblems(workload), ...beforeProblems(workload));
  if (!problems.length) {
    return { workload, diagnostics: [] };
  }
  return { diagnostics: toDiagnostics(problems, file, locator?.()) };
}

const WELL_FORMED = /^[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)+$/;

/**
 * score-go loader.Validate: placeholders must be well formed and resolvable
 * in principle. Run on workloads the schema refused as well: every field is
 * checked for its shape first.
 */
function placeholderProblems(workload: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const isMap = (v: unknown): v is Record<string, any> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (!isMap(workload.containers)) return problems;
  const declared = new Set(isMap(workload.resources) ? Object.keys(workload.resources) : []);
  const check = (value: unknown, path: FieldPath) => {
    if (typeof value === 'string') {
      if (value.indexOf('$') < 0) return;
      for (const m of value.matchAll(PLACEHOLDER_PATTERN)) {
        if (m[0].startsWith('$$') || m[2] === undefined) continue;
        const ref = m[2];
        const placeholder = `\${${ref}}`;
        if (!WELL_FORMED.test(ref)) {
          problems.push({ path, message: `${placeholder} is malformed: use \${metadata.<key>} or \${resources.<name>.<key>}`, placeholder });
          continue;
        }
        const [root, name, ...rest] = ref.split('.');
        if (root === 'metadata') {
          const missing = missingMetadataKey(workload.metadata, [name, ...rest]);
          if (missing) problems.push({ path, message: `${placeholder} does not resolve: ${missing}`, placeholder });
        } else if (root === 'resources') {
          if (!declared.has(name)) {
            problems.push({ path, message: `${placeholder} does not resolve to a resource: no resource '${name}' is declared`, placeholder });
          }
        } else if (root !== 'metadata') {
          problems.push({ path, message: `${placeholder} has unsupported first element '${root}': use metadata or resources`, placeholder });
        }
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => check(v, [...path, i]));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) check(v, [...path, k]);
    }
  };
  for (const [cname, c] of Object.entries(workload.containers)) {
    if (!isMap(c)) continue;
    if (isMap(c.variables)) {
      for (const [k, v] of Object.entries(c.variables)) check(v, ['containers', cname, 'variables', k]);
    }
    if (isMap(c.files)) {
      for (const [target, f] of Object.entries(c.files)) {
        if (isMap(f) && f.content !== undefined && !f.noExpand) check(f.content, ['containers', cname, 'files', target, 'content']);
      }
    }
    if (isMap(c.volumes)) {
      for (const [target, v] of Object.entries(c.volumes)) {
        if (!isMap(v)) continue;
        const path = ['containers', cname, 'volumes', target, 'source'];
        check(v.source, path);
        const problem = typeof v.source === 'string' ? volumeSourceProblem(v.source, declared) : undefined;
        if (problem) problems.push({ path, message: problem });
      }
    }
  }
  if (isMap(workload.resources)) {
    for (const [rname, r] of Object.entries(workload.resources)) {
      if (isMap(r) && r.params) check(r.params, ['resources', rname, 'params']);
    }
  }
  return problems;
}

/** Why `${metadata.…}` keys do not resolve in the workload's metadata, or undefined when they do. */
function missingMetadataKey(metadata: unknown, keys: string[]): string | undefined {
  let current = metadata;
  const seen: string[] = [];
  for (const key of keys) {
    if (!current || typeof current !== 'object' || Array.isArray(current)) {
      return `metadata.${seen.join('.')} is not a map`;
    }
    if (!Object.prototype.hasOwnProperty.call(current, key)) {
      return `metadata${seen.length ? `.${seen.join('.')}` : ''} has no key '${key}'`;
    }
    seen.push(key);
    current = (current as Record<string, unknown>)[key];
  }
  return undefined;
}

const VOLUME_RESOURCE = /^\$\{resources\.[a-z0-9][a-z0-9-]*[a-z0-9]\}$/;
const CLAIM_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * A volume source is `${resources.<name>}` of a volume resource, or the name
 * of a PersistentVolumeClaim that exists in the namespace already. Names a
 * claim cannot have, or that are a declared resource's name, are typos of
 * the first form.
 */
function volumeSourceProblem(source: string, declared: Set<string>): string | undefined {
  const hint = 'use ${resources.<name>} of a volume resource, or the name of an existing PersistentVolumeClaim';
  if (source.includes('${')) {
    return VOLUME_RESOURCE.test(source) ? undefined : `'${source}' is not a volume source: ${hint}`;
  }
  const resource = /^(?:resources\.)?([a-z0-9-]+)$/.exec(source)?.[1];
  if (resource && declared.has(resource)) {
    return `'${source}' would be a PersistentVolumeClaim of that name, not the resource '${resource}': write \${resources.${resource}}`;
  }
  if (!CLAIM_NAME.test(source)) return `'${source}' is not a PersistentVolumeClaim name (lowercase RFC 1123 subdomain): ${hint}`;
  return undefined;
}

/** `before` must name other containers of the workload, without cycles. */
function beforeProblems(workload: ScoreWorkload): Problem[] {
  const problems: Problem[] = [];
  const names = Object.keys(workload.containers);
  for (const [name, c] of Object.entries(workload.containers)) {
    for (const other of Object.keys(c.before ?? {})) {
      if (other === name) {
        problems.push({ path: ['containers', name, 'before', other], message: 'a container cannot be before itself', atKey: true });
      } else if (!names.includes(other)) {
        problems.push({ path: ['containers', name, 'before', other], message: `unknown container '${other}'`, atKey: true });
      }
    }
  }
  if (problems.length) return problems;
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...trail.slice(trail.indexOf(name)), name];
    state.set(name, 'visiting');
    for (const next of Object.keys(workload.containers[name].before ?? {})) {
      const cycle = visit(next, [...trail, name]);
      if (cycle) return cycle;
    }
    state.set(name, 'done');
    return undefined;
  };
  for (const name of names) {
    const cycle = visit(name, []);
    if (cycle) {
      problems.push({
        path: ['containers', cycle[0], 'before'],
        message: `containers before relationships contain a cycle: ${cycle.join(' → ')}`,
      });
      break;
    }
  }
  return problems;
}
