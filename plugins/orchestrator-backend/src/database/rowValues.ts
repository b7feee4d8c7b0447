/** SQLite returns timestamps as strings, PostgreSQL as Date objects. */
export type Timestamp = string | Date;

/** @internal */
export function toIso(value: Timestamp): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** @internal */
export function toIsoOptional(value: Timestamp | null): string | undefined {
  return value === null ? undefined : toIso(value);
}

/** A nullable column as an optional value. @internal */
export function orUndefined<T>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}
