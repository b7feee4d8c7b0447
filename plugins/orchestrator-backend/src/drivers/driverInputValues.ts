/**
 * Typed reads of a driver's `ctx.inputs`. The engine checks them against the
 * driver's `inputsSchema` before every run, so a value of another type
 * means a run that skipped that check: it fails, naming the input (`at` is
 * where the inputs are, e.g. `postgres driver: driverInputs.values`).
 */
export function optionalString(values: Record<string, unknown>, key: string, at: string): string | undefined {
  const value = values[key];
  if (value === undefined || typeof value === 'string') return value;
  throw new Error(`${at}.${key} must be a string`);
}

/** An optional number of `ctx.inputs`; see {@link optionalString}. */
export function optionalNumber(values: Record<string, unknown>, key: string, at: string): number | undefined {
  const value = values[key];
  if (value === undefined || typeof value === 'number') return value;
  throw new Error(`${at}.${key} must be a number`);
}
