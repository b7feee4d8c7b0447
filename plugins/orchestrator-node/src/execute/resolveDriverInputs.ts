import type { ResourceDefinition } from '@baton/backstage-plugin-orchestrator-common';
import { definitionLookup, ResourceOutputs, substituteValue, SubstitutionError } from '../placeholders';

/** A resource's identity and context, as its definition's placeholders see it. @public */
export interface DriverInputsTarget {
  app: string;
  env: string;
  envType: string;
  resource: { uid: string; type: string; class: string; resId: string; guresid: string };
}

/**
 * Resolves a definition's `driverInputs` for one resource: placeholders read
 * the context and the outputs of other resources (`outputsOf`). A value that
 * reads a secret output goes among the secrets the driver receives, never its
 * plain inputs; `driverInputs.secrets` are always secret. The same function
 * serves provisioning, drift `check` and `destroy`, so a driver sees the same
 * inputs in all three. Throws {@link SubstitutionError} with every problem.
 *
 * @public
 */
export function resolveDriverInputs(
  definition: ResourceDefinition,
  target: DriverInputsTarget,
  outputsOf: (ref: { type: string; class: string; resId: string }) => ResourceOutputs | undefined,
  options: {
    /** Keys of `values` passed as written (the driver's `verbatimInputs`). */
    verbatim?: readonly string[];
  } = {},
): { inputs: Record<string, unknown>; secrets: Record<string, unknown> } {
  const lookup = definitionLookup({
    context: {
      app: { id: target.app },
      env: { id: target.env, type: target.envType },
      res: {
        id: target.resource.resId,
        guresid: target.resource.guresid,
        type: target.resource.type,
        class: target.resource.class,
      },
    },
    outputsOf,
  });
  const inputs: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  const problems: string[] = [];
  const resolve = (source: Record<string, unknown> | undefined, forceSecret: boolean, label: string) => {
    for (const [key, value] of Object.entries(source ?? {})) {
      if (!forceSecret && options.verbatim?.includes(key)) {
        inputs[key] = value;
        continue;
      }
      try {
        const r = substituteValue(value, lookup);
        if (r.secret || forceSecret) secrets[key] = r.value;
        else inputs[key] = r.value;
      } catch (error) {
        for (const p of (error as SubstitutionError).problems ?? [(error as Error).message]) {
          problems.push(`${label}.${key}: ${p}`);
        }
      }
    }
  };
  resolve(definition.spec.driverInputs?.values, false, 'values');
  resolve(definition.spec.driverInputs?.secrets, true, 'secrets');
  if (problems.length) throw new SubstitutionError(problems);
  return { inputs, secrets };
}
