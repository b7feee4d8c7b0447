import { CORE_SCHEMA, loadAll, YAMLException } from 'js-yaml';
import { ValidationError } from '../diagnostics';

/**
 * How large parsed input may be: YAML once its aliases are resolved, JSON
 * request bodies as they are. js-yaml shares one object per anchor, so a few
 * hundred bytes of nested aliases describe billions of nodes that every later
 * step (validation, JSON, storage) would expand; the budget counts them as
 * they would be expanded.
 *
 * @public
 */
export interface InputBudget {
  /** Maps, sequences and scalars, every alias counted again. */
  maxNodes: number;
  /** Characters of keys and scalars, every alias counted again. */
  maxChars: number;
  /** Nesting of maps and sequences. */
  maxDepth: number;
}

/** The budget of every Score and definition file. @public */
export const YAML_BUDGET: InputBudget = { maxNodes: 100_000, maxChars: 4 * 1024 * 1024, maxDepth: 64 };

/**
 * Parses a (multi-document) YAML file with the core schema and checks it
 * against a {@link InputBudget}. Syntax errors and an exceeded budget are
 * thrown as a {@link ValidationError} naming the file.
 *
 * @public
 */
export function loadYamlDocuments(text: string, file: string, budget: InputBudget = YAML_BUDGET): unknown[] {
  let documents: unknown[];
  try {
    // js-yaml stops at maxDepth itself, before its recursion could overflow the stack.
    const options = { schema: CORE_SCHEMA, filename: file, maxDepth: budget.maxDepth };
    documents = loadAll(text, undefined, options) as unknown[];
  } catch (error) {
    if (error instanceof YAMLException) {
      throw new ValidationError([
        {
          file,
          line: error.mark ? error.mark.line + 1 : undefined,
          column: error.mark ? error.mark.column + 1 : undefined,
          message: `invalid YAML: ${error.reason}`,
        },
      ]);
    }
    throw error;
  }
  const problem = budgetProblem(documents, budget);
  if (problem) throw new ValidationError([{ file, message: `YAML over budget: ${problem}` }]);
  return documents;
}

/** Loads a single-document YAML file within {@link YAML_BUDGET}; see {@link loadYamlDocuments}. @public */
export function loadYaml(text: string, file: string, budget: InputBudget = YAML_BUDGET): unknown {
  const documents = loadYamlDocuments(text, file, budget);
  if (documents.length > 1) {
    throw new ValidationError([{ file, message: `expected one YAML document, found ${documents.length}` }]);
  }
  return documents[0];
}

/**
 * What in parsed YAML or JSON values exceeds the budget, or undefined. Shared
 * (aliased) values are walked once per reference, as they would be expanded.
 *
 * @public
 */
export function budgetProblem(documents: unknown[], budget: InputBudget): string | undefined {
  let nodes = 0;
  let chars = 0;
  // An explicit stack: the walk must survive the nesting it is there to measure.
  const stack: { value: unknown; depth: number }[] = documents.map(value => ({ value, depth: 0 }));
  while (stack.length) {
    const { value, depth } = stack.pop()!;
    nodes++;
    if (nodes > budget.maxNodes) {
      return `more than ${budget.maxNodes} nodes (aliases counted at every use)`;
    }
    if (typeof value === 'string') chars += value.length;
    else if (value !== null && typeof value === 'object') {
      if (depth >= budget.maxDepth) return `nested deeper than ${budget.maxDepth} levels`;
      if (Array.isArray(value)) {
        for (const item of value) stack.push({ value: item, depth: depth + 1 });
      } else {
        for (const [key, item] of Object.entries(value)) {
          chars += key.length;
          stack.push({ value: item, depth: depth + 1 });
        }
      }
    }
    if (chars > budget.maxChars) {
      return `more than ${budget.maxChars} characters of keys and values (aliases counted at every use)`;
    }
  }
  return undefined;
}
