import { ErrorObject } from 'ajv';
import { Diagnostic } from '../diagnostics';
import { ScoreFieldLocator } from '../score/scoreFieldLocator';
import { FieldPath, formatPath, YamlLocator } from '../yaml/YamlLocator';

/** One problem of a document before it is located in the file. */
export interface Problem {
  path: FieldPath;
  message: string;
  /** Point at the key rather than the value (unknown fields, missing ones). */
  atKey?: boolean;
  /** Point at this placeholder within the value. */
  placeholder?: string;
}

function describePattern(patterns: Record<string, string>, pattern: string): string {
  return patterns[pattern] ?? `the pattern ${pattern}`;
}

function toPath(instancePath: string): FieldPath {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}



/** Turns ajv's errors into one clear message per problem. */
export function schemaProblems(
  errors: ErrorObject[],
  messages: { patterns: Record<string, string>; oneOf?: string; anyOf?: string },
): Problem[] {
  // oneOf/anyOf report their branches' errors too; keep only the summary.
  const combinators = errors
    .filter(e => e.keyword === 'oneOf' || e.keyword === 'anyOf')
    .map(e => e.schemaPath.replace(/\/(oneOf|anyOf)$/, ''));
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (
      e.keyword !== 'oneOf' &&
      e.keyword !== 'anyOf' &&
      combinators.some(c => e.schemaPath.startsWith(`${c}/oneOf/`) || e.schemaPath.startsWith(`${c}/anyOf/`))
    ) {
      continue;
    }
    const path = toPath(e.instancePath);
    let problem: Problem;
    switch (e.keyword) {
      case 'required':
        problem = { path, message: `missing required field '${e.params.missingProperty}'`, atKey: true };
        break;
      case 'additionalProperties':
        problem = {
          path: [...path, e.params.additionalProperty],
          message: `unknown field '${e.params.additionalProperty}'`,
          atKey: true,
        };
        break;
      case 'propertyNames': {
        continue; // reported through the nested pattern/length error below
      }
      case 'pattern':
        if (e.propertyName !== undefined) {
          problem = {
            path: [...path, e.propertyName],
            message: `'${e.propertyName}' is not a valid name: must be ${describePattern(messages.patterns, e.params.pattern)}`,
            atKey: true,
          };
        } else {
          problem = { path, message: `must be ${describePattern(messages.patterns, e.params.pattern)}` };
        }
        break;
      case 'minLength':
      case 'maxLength':
        problem =
          e.propertyName !== undefined
            ? { path: [...path, e.propertyName], message: `'${e.propertyName}' ${e.message}`, atKey: true }
            : { path, message: e.message ?? e.keyword };
        break;
      case 'const':
        problem = { path, message: `must be ${e.params.allowedValue}` };
        break;
      case 'enum':
        problem = { path, message: `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}` };
        break;
      case 'oneOf':
        problem = { path, message: messages.oneOf ?? 'must match exactly one of the allowed forms' };
        break;
      case 'anyOf':
        problem = { path, message: messages.anyOf ?? 'must match one of the allowed forms' };
        break;
      case 'minProperties':
        problem = { path, message: 'needs at least one entry' };
        break;
      default:
        problem = { path, message: e.message ?? e.keyword };
    }
    const key = `${formatPath(problem.path)}\0${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

/** Locates problems in the file (when a locator is given) and formats them. */
export function toDiagnostics(
  problems: Problem[],
  file: string,
  locator?: Pick<YamlLocator, 'locate'> | ScoreFieldLocator,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = problems.map(p => {
    const position = locator?.locate(p.path, { key: p.atKey, placeholder: p.placeholder });
    return {
      file,
      ...(position ? { line: position.line, column: position.column } : {}),
      ...(p.path.length ? { path: formatPath(p.path) } : {}),
      message: p.message,
    };
  });
  // In file order, as an editor would list them.
  return diagnostics.sort(
    (a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}
