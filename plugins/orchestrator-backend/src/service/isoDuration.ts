import { InputError } from '@backstage/errors';

const DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const UNIT_MS = [365 * 86_400_000, 30 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000];

/** The longest time to live: an environment that lives longer is not temporary. */
export const MAX_TTL_MS = 366 * 86_400_000;

/**
 * An environment's time to live (ISO 8601 duration such as `PT2H`, `P3D`)
 * in milliseconds; a year counts 365 days and a month 30. Anything else, zero
 * or over a year is an InputError naming `field`.
 *
 * @internal
 */
export function parseTtl(value: unknown, field = 'ttl'): number {
  const match = typeof value === 'string' ? DURATION.exec(value) : null;
  if (!match || value === 'P' || (typeof value === 'string' && value.endsWith('T'))) {
    throw new InputError(`${field} must be an ISO 8601 duration such as PT2H or P3D, not ${JSON.stringify(value)}`);
  }
  const ms = match.slice(1).reduce((sum, part, i) => sum + (part ? Number(part) * UNIT_MS[i] : 0), 0);
  if (ms <= 0) throw new InputError(`${field} must be longer than zero, not ${value}`);
  if (ms > MAX_TTL_MS) throw new InputError(`${field} must be at most a year (P366D), not ${value}`);
  return ms;
}
