import type { DriverManifest } from '@baton/backstage-plugin-orchestrator-node';
import { collectStrings, isObject, mapStrings, secretStrings } from './jsonValues';

/** score-k8s's secret reference: `🔐💬<secret name>_<key>💬🔐`, a key of a Kubernetes Secret. */
const SECRET_REF = /🔐💬(.*?)💬🔐/gs;
const SECRET_REF_PREFIX = '🔐💬';
const SECRET_REF_SUFFIX = '💬🔐';

/**
 * Plain and secret outputs. An output holding a score-k8s secret reference
 * gets the value of that key of the Secret among the command's manifests
 * and becomes secret (Baton's workloads read secret values, not Kubernetes
 * Secrets by name); outputs named in `secretOutputs` or holding a secret
 * input value are secret too.
 */
export function splitOutputs(
  resourceOutputs: Record<string, unknown>,
  manifests: DriverManifest[],
  secretOutputs: string[],
  secretInputs: Record<string, unknown>,
): { outputs: Record<string, unknown>; secrets: Record<string, unknown> } {
  const secretData = new Map<string, Record<string, string>>();
  for (const manifest of manifests) {
    const o = manifest.data;
    if (o.apiVersion !== 'v1' || o.kind !== 'Secret') continue;
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(isObject(o.data) ? o.data : {})) {
      if (typeof v === 'string') data[k] = Buffer.from(v, 'base64').toString('utf8');
    }
    for (const [k, v] of Object.entries(isObject(o.stringData) ? o.stringData : {})) {
      if (typeof v === 'string') data[k] = v;
    }
    secretData.set(String((o.metadata as { name: unknown }).name), data);
  }
  const inputValues = secretStrings(secretInputs);
  const outputs: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resourceOutputs)) {
    let referenced = false;
    const resolved = mapStrings(value, s => {
      if (!s.includes(SECRET_REF_PREFIX)) return s;
      return s.replace(SECRET_REF, (_, ref: string) => {
        const split = ref.indexOf('_');
        if (split < 0) throw new Error(`printed resource_outputs.${key} with an invalid secret reference: it has no _ between Secret name and key`);
        const [secret, secretKey] = [ref.slice(0, split), ref.slice(split + 1)];
        const found = secretData.get(secret)?.[secretKey];
        if (found === undefined) {
          throw new Error(
            `printed resource_outputs.${key} referring to key ${secretKey} of Secret ${secret}, which is not among its manifests: ` +
              'Baton resolves score-k8s secret references only to Secrets the provisioner returns',
          );
        }
        referenced = true;
        return found;
      });
    });
    const secret =
      referenced || secretOutputs.includes(key) || (inputValues.length > 0 && collectStrings(value).some(s => inputValues.some(v => s.includes(v))));
    if (secret) secrets[key] = resolved;
    else outputs[key] = resolved;
  }
  return { outputs, secrets };
}

/** The path of the first string holding a secret reference, as score-k8s looks for unresolved ones. */
export function findSecretRef(value: unknown, at: string): string | undefined {
  if (typeof value === 'string') {
    const start = value.indexOf(SECRET_REF_PREFIX);
    return start >= 0 && value.indexOf(SECRET_REF_SUFFIX, start + SECRET_REF_PREFIX.length) >= 0 ? at : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findSecretRef(value[i], `${at}[${i}]`);
      if (found) return found;
    }
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const found = findSecretRef(v, `${at}.${k}`);
      if (found) return found;
    }
  }
  return undefined;
}
