import { ResourceDefinitionView } from '@baton/backstage-plugin-orchestrator-common';
import { parse, stringify } from 'yaml';

type Spec = {
  type?: string;
  driver?: string;
  criteria?: Record<string, string>[];
  driverInputs?: { values?: Record<string, unknown>; secretKeys?: string[] };
};

/** What the definitions table shows of a definition. */
export function definitionFacts(d: ResourceDefinitionView) {
  const spec = d.spec as Spec;
  const criteria = spec.criteria ?? [];
  return {
    id: String((d.metadata as { id?: string }).id),
    type: spec.type ?? '',
    driver: spec.driver ?? '',
    criteria,
    // A criterion without a class matches the default class.
    classes: [...new Set(criteria.map(c => c.class ?? 'default'))].sort(),
  };
}

/** Placeholder of a secret value: the API returns only the keys of secrets. */
export const SECRET_PLACEHOLDER = '<secret>';

/** The definition as a YAML document, each secret as its key with a placeholder value. */
export function definitionYaml(d: ResourceDefinitionView): string {
  const { driverInputs, ...spec } = d.spec as Spec & Record<string, unknown>;
  const { secretKeys, ...inputs } = driverInputs ?? {};
  const document = {
    apiVersion: d.apiVersion,
    kind: d.kind,
    metadata: d.metadata,
    spec: {
      ...spec,
      ...(driverInputs
        ? {
            driverInputs: {
              ...inputs,
              ...(secretKeys?.length
                ? { secrets: Object.fromEntries(secretKeys.map(key => [key, SECRET_PLACEHOLDER])) }
                : {}),
            },
          }
        : {}),
    },
  };
  return stringify(document);
}

/**
 * The secrets an edited document still holds as placeholders: saving them
 * would store the placeholder text as the secret.
 */
export function secretPlaceholdersIn(yamlText: string): string[] {
  const pattern = /^\s+([A-Za-z0-9_.-]+):\s*["']?<secret>["']?\s*$/gm;
  return [...yamlText.matchAll(pattern)].map(m => `spec.driverInputs.secrets.${m[1]}`);
}

/**
 * The driver an edited document names in `spec.driver`, read while the user
 * types: text that is not (yet) valid YAML is searched for the line.
 */
export function driverNamedIn(yamlText: string): string | undefined {
  try {
    const driver = (parse(yamlText) as { spec?: { driver?: unknown } } | null)?.spec?.driver;
    return typeof driver === 'string' && driver ? driver : undefined;
  } catch {
    return /^\s+driver:\s*["']?([A-Za-z0-9_.-]+)/m.exec(yamlText)?.[1];
  }
}
