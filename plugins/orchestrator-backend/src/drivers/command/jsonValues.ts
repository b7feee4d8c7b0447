/** A value an argument or environment variable may be given as. */
export type Scalar = string | number | boolean;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** Every string and number inside a JSON value, numbers as text. */
export function collectStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number') return [String(value)];
  if (value && typeof value === 'object') return Object.values(value).flatMap(collectStrings);
  return [];
}

/** The JSON value with every string in it replaced by `fn`'s answer. */
export function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map(v => mapStrings(v, fn));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  return value;
}

/** Secret values long enough to be recognised (short ones would match everywhere). */
export function secretStrings(secrets: Record<string, unknown>): string[] {
  return collectStrings(secrets).filter(s => s.length >= 4);
}
