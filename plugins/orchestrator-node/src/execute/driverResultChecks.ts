import { isSecretDataPath, SECRET_PLACEMENT_HINT } from '../drivers/secretManifests';
import { DriverResult } from '../drivers/types';
import type { NodeResult } from './executeGraph';

/*
 * What a driver's result and errors may hold: a size bound, secret input
 * values kept out of plain outputs, manifests and messages.
 */

/**
 * Whether a value's JSON would be at most `limit` characters, found without
 * building it (a value with shared references can be far larger as JSON).
 */
export function withinSize(value: unknown, limit: number): boolean {
  let size = 0;
  const pending: unknown[] = [value];
  while (pending.length) {
    const v = pending.pop();
    if (typeof v === 'string') size += v.length + 2;
    else if (v && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        size += key.length + 4;
        pending.push(item);
      }
      size += 2;
    } else size += 5;
    if (size > limit) return false;
  }
  return true;
}

/**
 * A driver's result with any plain output that holds a secret input value
 * made a secret output; a manifest that holds one outside a Secret's data
 * is refused. (The template driver also tracks values derived from secrets.)
 */
export function keepSecretsSecret(result: DriverResult, secrets: Record<string, unknown>): Pick<NodeResult, 'outputs' | 'secrets'> {
  const values = secretStrings(secrets);
  const outputs = { ...result.outputs };
  const secretOutputs = { ...result.secrets };
  if (!values.length) return { outputs, secrets: secretOutputs };
  const holdsSecret = (s: string) => values.some(v => s.includes(v));
  for (const [key, value] of Object.entries(outputs)) {
    if (strings(value, []).some(([s]) => holdsSecret(s))) {
      if (!Object.hasOwn(secretOutputs, key)) secretOutputs[key] = value;
      delete outputs[key];
    }
  }
  for (const [name, manifest] of Object.entries(result.manifests ?? {})) {
    for (const [s, path] of strings(manifest.data, [])) {
      if (holdsSecret(s) && !isSecretDataPath(manifest, path)) {
        throw new Error(`manifests.${name}.data.${path.join('.')} holds a secret value; ${SECRET_PLACEMENT_HINT}`);
      }
    }
  }
  return { outputs, secrets: secretOutputs };
}

/** Secret values long enough to be recognised (short ones would match everywhere). */
function secretStrings(value: unknown): string[] {
  return strings(value, [])
    .map(([s]) => s)
    .filter(s => s.length >= 4);
}

/** Every string (and number) in a value, with its path. */
function strings(value: unknown, path: string[]): [string, string[]][] {
  if (typeof value === 'string') return [[value, path]];
  if (typeof value === 'number') return [[String(value), path]];
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => strings(item, [...path, key]));
  }
  return [];
}

/** Keeps secret input values out of error messages. */
export function redact(message: string, secrets: Record<string, unknown>): string {
  let result = message;
  for (const value of Object.values(secrets)) {
    if (typeof value === 'string' && value.length >= 4) result = result.split(value).join('***');
  }
  return result;
}
