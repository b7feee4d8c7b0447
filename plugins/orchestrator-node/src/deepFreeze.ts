/**
 * Freezes a value and everything it holds, so that callers sharing it (a
 * cache's entries) cannot change it for one another.
 *
 * @public
 */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
