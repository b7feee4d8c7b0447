import { DriverManifest } from './types';

/**
 * Whether a path inside a driver manifest's object is where secret values
 * may go: a v1 Secret's `data` or `stringData`, which GitOps delivers as an
 * ExternalSecret and never writes in plain text.
 */
export function isSecretDataPath(manifest: DriverManifest, path: readonly string[]): boolean {
  const object = manifest.data;
  return object.apiVersion === 'v1' && object.kind === 'Secret' && (path[0] === 'data' || path[0] === 'stringData') && path.length > 1;
}

/** What to tell the author of a manifest with a secret value outside a Secret. */
export const SECRET_PLACEMENT_HINT = "secret values belong in a v1 Secret's data or stringData (referenced e.g. through secretKeyRef)";
