import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import { Diagnostic, ValidationError } from '../diagnostics';
import { schemaProblems, toDiagnostics } from '../validation/schemaProblems';
import { YamlLocator } from '../yaml/YamlLocator';
import { loadYamlDocuments } from '../yaml/loadYaml';
import { DEFINITION_PATTERN_DESCRIPTIONS, resourceDefinitionSchema } from './schema';
import { Criterion, LoadedDefinition, ResourceDefinition } from './types';

let compiled: ValidateFunction | undefined;
function validator() {
  compiled ??= new Ajv2020({ allErrors: true, strict: false }).compile(resourceDefinitionSchema);
  return compiled;
}

/**
 * Parses a (multi-document) YAML file of resource definitions, reporting
 * every problem of every document with file, line, column and field path.
 * Documents of other kinds (`EnvironmentType`, `Environment`) are skipped, so
 * platform configuration can live in one file.
 *
 * @public
 */
export function parseResourceDefinitions(text: string, file: string): LoadedDefinition[] {
  const docs = loadYamlDocuments(text, file);
  const diagnostics: Diagnostic[] = [];
  const loaded: LoadedDefinition[] = [];
  const locate = (index: number) => new YamlLocator(text, index);
  const startLines = documentStartLines(text);

  docs.forEach((doc, index) => {
    if (doc === null || doc === undefined) return; // empty document
    const kind = (doc as { kind?: unknown }).kind;
    if (kind === 'EnvironmentType' || kind === 'Environment') return;
    const validate = validator();
    if (!validate(doc)) {
      diagnostics.push(
        ...toDiagnostics(
          schemaProblems(validate.errors ?? [], { patterns: DEFINITION_PATTERN_DESCRIPTIONS }),
          file,
          locate(index),
        ),
      );
      return;
    }
    const definition = doc as ResourceDefinition;
    loaded.push({ definition, file, line: startLines(index) });
  });
  if (diagnostics.length) throw new ValidationError(diagnostics);
  return loaded;
}

/** The 1-based line where each document of a multi-document file starts. */
function documentStartLines(text: string): (index: number) => number {
  const markers: number[] = [];
  let leading = true;
  let lineNo = 0;
  for (const line of text.split('\n')) {
    if (/^---(\s|$)/.test(line)) markers.push(lineNo);
    // A leading `---` opens the first document instead of separating two.
    else if (!markers.length && !/^\s*(#.*)?$/.test(line)) leading = false;
    lineNo++;
  }
  leading = leading && markers.length > 0;
  return index => {
    if (leading) return markers[index] + 2;
    return index === 0 ? 1 : markers[index - 1] + 2;
  };
}

/** The canonical text of a criterion: class defaulted, fields sorted. */
export function criterionKey(criterion: Criterion): string {
  const c: Record<string, string> = { class: criterion.class ?? 'default' };
  for (const field of ['appId', 'envId', 'envType', 'resId'] as const) {
    if (criterion[field] !== undefined) c[field] = criterion[field]!;
  }
  return JSON.stringify(c);
}

function where(d: LoadedDefinition): string {
  return d.file ? ` (${d.file}${d.line ? `:${d.line}` : ''})` : '';
}

/**
 * Conflicts between definitions: a duplicate id, or two definitions of one
 * type with an identical criterion (neither could ever win). Each message
 * names both definitions.
 *
 * @public
 */
export function checkDefinitionConflicts(definitions: LoadedDefinition[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const byId = new Map<string, LoadedDefinition>();
  const byCriterion = new Map<string, LoadedDefinition>();
  for (const d of definitions) {
    const id = d.definition.metadata.id;
    const previous = byId.get(id);
    if (previous) {
      diagnostics.push({
        file: d.file,
        line: d.line,
        path: 'metadata.id',
        message: `definition ${id} is defined twice${where(previous)}`,
      });
      continue;
    }
    byId.set(id, d);
    const seenHere = new Set<string>();
    (d.definition.spec.criteria ?? []).forEach((criterion, i) => {
      const key = `${d.definition.spec.type}\0${criterionKey(criterion)}`;
      if (seenHere.has(key)) return;
      seenHere.add(key);
      const other = byCriterion.get(key);
      if (other) {
        diagnostics.push({
          file: d.file,
          line: d.line,
          path: `spec.criteria.${i}`,
          message: `definitions ${other.definition.metadata.id}${where(other)} and ${id} have the same criterion ${criterionKey(criterion)} for type ${d.definition.spec.type}`,
        });
      } else {
        byCriterion.set(key, d);
      }
    });
  }
  return diagnostics;
}
