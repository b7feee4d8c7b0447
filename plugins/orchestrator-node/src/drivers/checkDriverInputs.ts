import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import { Driver, DriverInputProblem } from './types';

// `verbose` puts each error's instance (`data`) and schema on it: placeholders
// are recognised by the instance, unknown fields named with the known ones.
const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true });
const validators = new WeakMap<object, ValidateFunction>();

/** @public */
export interface CheckDriverInputsOptions {
  /**
   * The values are resolved (at deployment): no placeholder is left to
   * excuse a mismatch, and `validateInputs`, the driver's check for saving,
   * is not run again.
   */
  resolved?: boolean;
}

const isPlaceholder = (value: unknown) => typeof value === 'string' && value.includes('${');

/**
 * Checks a definition's `driverInputs.values` against the driver's
 * `inputsSchema`, then (unless `resolved`) with the driver's own
 * `validateInputs`. Paths are relative to `spec.driverInputs`
 * (`values.port`); a missing field and an unknown one are named by their own
 * path.
 *
 * When a definition is saved its values may still hold placeholders, which
 * resolve only at deployment: a string holding `${` satisfies any schema
 * (an integer port may be `${resources.db.outputs.port}`). A key given in
 * `driverInputs.secrets` instead of `values` counts as present, as such a
 * placeholder, and is never an unknown field: a driver may read an input
 * from either map (postgres reads `adminPassword` from secrets only), and
 * says which secrets it takes in `validateInputs`, which is given their keys.
 *
 * @public
 */
export function checkDriverInputs(
  driver: Driver,
  values: Record<string, unknown>,
  secretKeys: string[] = [],
  options: CheckDriverInputsOptions = {},
): DriverInputProblem[] {
  const problems: DriverInputProblem[] = [];
  if (driver.inputsSchema) {
    let validate = validators.get(driver.inputsSchema);
    if (!validate) {
      validate = ajv.compile(driver.inputsSchema);
      validators.set(driver.inputsSchema, validate);
    }
    const lenient = !options.resolved;
    const asSecrets = lenient ? secretKeys.filter(k => !Object.hasOwn(values, k)) : [];
    const instance = asSecrets.length
      ? { ...values, ...Object.fromEntries(asSecrets.map(k => [k, `\${secrets.${k}}`])) }
      : values;
    if (!validate(instance)) {
      const errors = validate.errors ?? [];
      const secretAtTop = (e: ErrorObject) =>
        e.instancePath === '' &&
        asSecrets.includes(e.params.additionalProperty ?? e.params.unevaluatedProperty);
      const excused = (e: ErrorObject) => lenient && (isPlaceholder(e.data) || secretAtTop(e));
      // A combinator's branches each fail for their own reasons; only its summary is reported.
      const combinators = errors.filter(e => e.keyword === 'anyOf' || e.keyword === 'oneOf');
      for (const e of errors) {
        if (combinators.some(c => branchOf(c, e) !== undefined)) continue;
        if (excused(e) || (lenient && combinatorExcused(e, errors, excused))) continue;
        problems.push(problemOf(driver.id, e));
      }
    }
  }
  if (!options.resolved && driver.validateInputs) {
    try {
      problems.push(...driver.validateInputs(values, secretKeys));
    } catch (error) {
      problems.push({ path: 'values', message: `driver ${driver.id} could not check its inputs: ${(error as Error).message}` });
    }
  }
  return dedupe(problems);
}

/**
 * An `anyOf`/`oneOf` that failed only because of placeholders: one of its
 * branches has no error left once placeholders are excused. Its branches'
 * own errors are reported (or excused) on their own, so the summary goes.
 */
function combinatorExcused(e: ErrorObject, all: ErrorObject[], excused: (e: ErrorObject) => boolean): boolean {
  if (e.keyword !== 'anyOf' && e.keyword !== 'oneOf') return false;
  const branches = new Map<string, ErrorObject[]>();
  for (const other of all) {
    const branch = branchOf(e, other);
    if (branch !== undefined) branches.set(branch, [...(branches.get(branch) ?? []), other]);
  }
  return [...branches.values()].some(errors => errors.every(excused));
}

/** The branch of combinator `c` that error `e` comes from, if any. */
function branchOf(c: ErrorObject, e: ErrorObject): string | undefined {
  const prefix = `${c.schemaPath}/`;
  if (e === c || !e.schemaPath.startsWith(prefix) || !e.instancePath.startsWith(c.instancePath)) return undefined;
  return /^\d+/.exec(e.schemaPath.slice(prefix.length))?.[0];
}

function problemOf(driverId: string, e: ErrorObject): DriverInputProblem {
  const path = ['values', ...e.instancePath.split('/').slice(1).map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'))];
  switch (e.keyword) {
    case 'required':
      return { path: [...path, e.params.missingProperty].join('.'), message: 'is required' };
    case 'unevaluatedProperties':
      return { path: [...path, e.params.unevaluatedProperty].join('.'), message: `is not an input of driver ${driverId}` };
    case 'additionalProperties': {
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return {
        path: [...path, e.params.additionalProperty].join('.'),
        message: `is not an input of driver ${driverId}${known.length ? ` (its inputs here: ${known.join(', ')})` : ''}`,
      };
    }
    case 'anyOf':
      return { path: path.join('.'), message: 'must match one of the forms the driver allows' };
    case 'oneOf':
      return { path: path.join('.'), message: 'must match exactly one of the forms the driver allows' };
    case 'enum':
      return { path: path.join('.'), message: `must be one of ${(e.params.allowedValues as unknown[]).map(v => JSON.stringify(v)).join(', ')}` };
    default:
      return { path: path.join('.'), message: e.message ?? e.keyword };
  }
}

function dedupe(problems: DriverInputProblem[]): DriverInputProblem[] {
  const seen = new Set<string>();
  return problems.filter(p => {
    const key = `${p.path}\0${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
