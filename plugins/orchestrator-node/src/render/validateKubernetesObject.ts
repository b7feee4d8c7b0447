import { Diagnostic } from '@baton/backstage-plugin-orchestrator-common';

/** A Kubernetes object as rendered. @public */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

type Validator = (data: unknown) => void;
const validators = new Map<string, Validator | null>();

/**
 * The compiled validator of a built-in kind from kubernetes-models (the
 * Kubernetes OpenAPI schemas compiled to JSON Schema validators), loaded on
 * first use; null for kinds it does not know (custom resources).
 */
function validatorFor(apiVersion: string, kind: string): Validator | null {
  const key = `${apiVersion}/${kind}`;
  let validator = validators.get(key);
  if (validator !== undefined) return validator;
  validator = null;
  if (/^[a-z0-9.]*\/?v[0-9a-z]+$/.test(apiVersion) && /^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(`kubernetes-models/${apiVersion}/${kind}`);
      const Model = mod[kind] ?? mod.default;
      if (typeof Model === 'function') {
        validator = (data: unknown) => new Model(data).validate();
      }
    } catch {
      validator = null;
    }
  }
  validators.set(key, validator);
  return validator;
}

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * Validates an object against the Kubernetes schema of its kind; kinds the
 * schemas do not know (custom resources such as ExternalSecret or an Argo CD
 * Application) get the basic apiVersion, kind and metadata.name checks.
 * Messages name the object (`Deployment web`) and the field path.
 *
 * @public
 */
export function validateKubernetesObject(object: unknown, source?: string): Diagnostic[] {
  const o = object as Partial<KubernetesObject> | null;
  const label = `${o?.kind ?? 'object'} ${o?.metadata?.name ?? '(unnamed)'}`;
  const problem = (path: string, message: string): Diagnostic => ({
    ...(source ? { file: source } : {}),
    path,
    message: `${label}: ${path}: ${message}`,
  });
  if (!o || typeof o !== 'object' || Array.isArray(o)) return [{ message: 'a Kubernetes object must be a map' }];
  const basic: Diagnostic[] = [];
  if (typeof o.apiVersion !== 'string' || !o.apiVersion) basic.push(problem('apiVersion', 'is required'));
  if (typeof o.kind !== 'string' || !o.kind) basic.push(problem('kind', 'is required'));
  if (!o.metadata || typeof o.metadata.name !== 'string') basic.push(problem('metadata.name', 'is required'));
  else if (!NAME.test(o.metadata.name)) basic.push(problem('metadata.name', `'${o.metadata.name}' is not a valid Kubernetes name (lowercase RFC 1123 subdomain)`));
  if (basic.length) return basic;
  const validate = validatorFor(o.apiVersion!, o.kind!);
  if (!validate) return [];
  try {
    validate(o);
    return [];
  } catch (error) {
    const errors = (error as { errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] }).errors;
    if (!errors) return [problem('', (error as Error).message)];
    return errors.map(e => {
      const path = e.instancePath.slice(1).replace(/\//g, '.');
      const extra = e.params && 'additionalProperty' in e.params ? ` '${e.params.additionalProperty}'` : '';
      return problem(path, `${e.message ?? 'is invalid'}${extra}`);
    });
  }
}
