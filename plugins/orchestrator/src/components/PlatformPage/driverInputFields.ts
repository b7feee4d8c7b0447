/** A JSON Schema, as far as the definition form reads one. */
type Schema = {
  type?: string | string[];
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  oneOf?: Schema[];
  anyOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  default?: unknown;
};

/** One input of a driver, as the definition form lists it. */
export interface DriverInputField {
  /** Path under `driverInputs.values`, nested fields dotted (`templates.outputs`). */
  name: string;
  type: string;
  required: boolean;
  description?: string;
}

function typeText(schema: Schema): string {
  if (schema.enum) return `one of ${schema.enum.map(v => JSON.stringify(v)).join(', ')}`;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) return alternatives.map(typeText).join(' | ');
  const types = [schema.type ?? []].flat();
  let text = types.length ? types.join(' | ') : 'any';
  if (types.includes('array') && schema.items) text = `array of ${typeText(schema.items)}`;
  if (types.includes('object') && schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    text = `map of ${typeText(schema.additionalProperties)}`;
  }
  const limits: string[] = [];
  if (schema.minimum !== undefined && schema.maximum !== undefined) limits.push(`${schema.minimum}–${schema.maximum}`);
  else if (schema.minimum !== undefined) limits.push(`≥ ${schema.minimum}`);
  else if (schema.maximum !== undefined) limits.push(`≤ ${schema.maximum}`);
  if (schema.minLength) limits.push('not empty');
  if (schema.pattern) limits.push(`matching ${schema.pattern}`);
  if (schema.default !== undefined) limits.push(`default ${JSON.stringify(schema.default)}`);
  return limits.length ? `${text} (${limits.join(', ')})` : text;
}

/**
 * The fields a driver's `inputsSchema` declares, nested objects' fields
 * after their parent (a few levels deep: enough for a form to explain).
 */
export function driverInputFields(inputsSchema: Record<string, unknown> | undefined, depth = 3): DriverInputField[] {
  const schema = (inputsSchema ?? {}) as Schema;
  const fields: DriverInputField[] = [];
  const walk = (s: Schema, prefix: string, level: number) => {
    const required = new Set(s.required ?? []);
    for (const [name, property] of Object.entries(s.properties ?? {})) {
      const path = `${prefix}${name}`;
      fields.push({
        name: path,
        type: typeText(property),
        required: required.has(name),
        ...(property.description ? { description: property.description } : {}),
      });
      if (level < depth && property.properties) walk(property, `${path}.`, level + 1);
    }
  };
  walk(schema, '', 1);
  return fields;
}

/** Whether a schema allows values it does not name. */
export function allowsOtherInputs(inputsSchema: Record<string, unknown> | undefined): boolean {
  return (inputsSchema as Schema | undefined)?.additionalProperties !== false;
}
