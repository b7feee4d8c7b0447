const ID = '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$';
const TYPE = '^[A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9]$';

const criterion = {
  type: 'object',
  additionalProperties: false,
  properties: {
    class: { type: 'string', pattern: TYPE },
    envType: { type: 'string', minLength: 1 },
    envId: { type: 'string', minLength: 1 },
    appId: { type: 'string', minLength: 1 },
    resId: { type: 'string', minLength: 1 },
  },
};

/** JSON Schema of a resource definition document (`baton.dev/v1`). @public */
export const resourceDefinitionSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'baton.dev/v1' },
    kind: { const: 'ResourceDefinition' },
    metadata: {
      type: 'object',
      additionalProperties: false,
      required: ['id'],
      properties: {
        id: { type: 'string', pattern: ID },
        name: { type: 'string' },
        description: { type: 'string' },
      },
    },
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'driver'],
      properties: {
        type: { type: 'string', pattern: TYPE },
        driver: { type: 'string', minLength: 1 },
        driverInputs: {
          type: 'object',
          additionalProperties: false,
          properties: {
            values: { type: 'object' },
            secrets: { type: 'object' },
          },
        },
        criteria: { type: 'array', items: criterion },
        provision: {
          type: 'object',
          propertyNames: {
            pattern: '^[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9](\\.[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])?(#[^#\\s]+)?$',
          },
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            properties: {
              isDependent: { type: 'boolean' },
              matchDependents: { type: 'boolean' },
              params: { type: 'object' },
            },
          },
        },
      },
    },
  },
} as const;

export const DEFINITION_PATTERN_DESCRIPTIONS: Record<string, string> = {
  [ID]: 'a lowercase id (a-z, 0-9, - and .)',
  [TYPE]: 'letters, digits and -, alphanumeric at both ends',
};
