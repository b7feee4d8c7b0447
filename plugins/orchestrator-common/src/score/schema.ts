/**
 * The Score workload schema (`score.dev/v1b1`, JSON Schema draft 2020-12),
 * following score-spec/spec `score-v1b1.json` at 0.4.1 and later: probes need
 * httpGet or exec, memory accepts decimals and P/E units.
 */
const RFC1123_LABEL = '^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$';
const ANNOTATION_KEY =
  '^(([a-z0-9][a-z0-9-]{0,61}[a-z0-9])(\\.[a-z0-9][a-z0-9-]{0,61}[a-z0-9])*/)?[A-Za-z0-9][A-Za-z0-9._-]{0,61}[A-Za-z0-9]$';

const annotations = {
  type: 'object',
  propertyNames: { minLength: 2, maxLength: 316, pattern: ANNOTATION_KEY },
  additionalProperties: { type: 'string' },
};

const resourcesLimits = {
  type: 'object',
  additionalProperties: false,
  properties: {
    memory: {
      type: 'string',
      pattern: '^(0\\.\\d+|[1-9]\\d*(\\.\\d+)?)(K|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$',
    },
    cpu: { type: 'string', pattern: '^\\d+(?:m|\\.\\d+)?$' },
  },
};

const probe = {
  type: 'object',
  additionalProperties: false,
  anyOf: [{ required: ['httpGet'] }, { required: ['exec'] }],
  properties: {
    httpGet: {
      type: 'object',
      additionalProperties: false,
      required: ['port', 'path'],
      properties: {
        host: { type: 'string', minLength: 1 },
        scheme: { enum: ['HTTP', 'HTTPS'] },
        path: { type: 'string' },
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        httpHeaders: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'value'],
            properties: {
              name: { type: 'string', pattern: '^[A-Za-z0-9_-]+$' },
              value: { type: 'string', minLength: 1 },
            },
          },
        },
      },
    },
    exec: {
      type: 'object',
      additionalProperties: false,
      required: ['command'],
      properties: { command: { type: 'array', items: { type: 'string' } } },
    },
  },
};

const containerFile = {
  type: 'object',
  additionalProperties: false,
  oneOf: [
    { required: ['content'] },
    { required: ['binaryContent'] },
    { required: ['source'] },
  ],
  properties: {
    mode: { type: 'string', pattern: '^0?[0-7]{3}$' },
    source: { type: 'string', minLength: 1 },
    content: { type: 'string' },
    binaryContent: { type: 'string' },
    noExpand: { type: 'boolean' },
  },
};

const containerVolume = {
  type: 'object',
  additionalProperties: false,
  required: ['source'],
  properties: {
    source: { type: 'string' },
    path: { type: 'string' },
    readOnly: { type: 'boolean' },
  },
};

const container = {
  type: 'object',
  additionalProperties: false,
  required: ['image'],
  properties: {
    image: { type: 'string', minLength: 1 },
    command: { type: 'array', items: { type: 'string' } },
    args: { type: 'array', items: { type: 'string' } },
    variables: {
      type: 'object',
      propertyNames: { minLength: 1, pattern: '^[^=]+$' },
      additionalProperties: { type: 'string' },
    },
    files: { type: 'object', additionalProperties: containerFile },
    volumes: { type: 'object', additionalProperties: containerVolume },
    before: {
      type: 'object',
      propertyNames: { pattern: RFC1123_LABEL },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['ready'],
        properties: { ready: { enum: ['started', 'healthy', 'complete'] } },
      },
    },
    resources: {
      type: 'object',
      additionalProperties: false,
      properties: { limits: resourcesLimits, requests: resourcesLimits },
    },
    livenessProbe: probe,
    readinessProbe: probe,
  },
};

const resource = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { type: 'string', minLength: 2, maxLength: 63, pattern: '^[A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9]$' },
    class: { type: 'string', minLength: 2, maxLength: 63, pattern: '^[A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9]$' },
    id: {
      type: 'string',
      minLength: 2,
      maxLength: 63,
      pattern: '^[a-z0-9]+(?:-+[a-z0-9]+)*(?:\\.[a-z0-9]+(?:-+[a-z0-9]+)*)*$',
    },
    metadata: {
      type: 'object',
      additionalProperties: true,
      properties: { annotations },
    },
    params: { type: 'object', additionalProperties: true },
  },
};

/** @public */
export const scoreWorkloadSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://score.dev/schemas/score',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'metadata', 'containers'],
  properties: {
    apiVersion: { type: 'string', pattern: '^score\\.dev/v1b1$' },
    metadata: {
      type: 'object',
      additionalProperties: true,
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 2, maxLength: 63, pattern: RFC1123_LABEL },
        annotations,
      },
    },
    service: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ports: {
          type: 'object',
          propertyNames: { minLength: 2, maxLength: 63, pattern: RFC1123_LABEL },
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            required: ['port'],
            properties: {
              port: { type: 'integer', minimum: 1, maximum: 65535 },
              protocol: { enum: ['TCP', 'UDP'] },
              targetPort: { type: 'integer', minimum: 1, maximum: 65535 },
            },
          },
        },
      },
    },
    containers: {
      type: 'object',
      minProperties: 1,
      propertyNames: { minLength: 2, maxLength: 63, pattern: RFC1123_LABEL },
      additionalProperties: container,
    },
    resources: {
      type: 'object',
      propertyNames: { minLength: 2, maxLength: 63, pattern: RFC1123_LABEL },
      additionalProperties: resource,
    },
  },
} as const;

/** Human descriptions of the schema's patterns, for error messages. */
export const PATTERN_DESCRIPTIONS: Record<string, string> = {
  [RFC1123_LABEL]: 'a lowercase RFC 1123 label (a-z, 0-9 and -, 2 to 63 characters, alphanumeric at both ends)',
  '^score\\.dev/v1b1$': 'score.dev/v1b1',
  [ANNOTATION_KEY]: 'an annotation key ([prefix/]name)',
  '^[A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9]$': 'letters, digits and -, alphanumeric at both ends',
  '^[a-z0-9]+(?:-+[a-z0-9]+)*(?:\\.[a-z0-9]+(?:-+[a-z0-9]+)*)*$': 'dot-separated lowercase labels',
  '^(0\\.\\d+|[1-9]\\d*(\\.\\d+)?)(K|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$': 'a memory quantity such as 512Mi or 1.5Gi',
  '^\\d+(?:m|\\.\\d+)?$': 'a CPU quantity such as 250m, 1 or 0.5',
  '^0?[0-7]{3}$': 'an octal file mode such as 0644',
  '^[^=]+$': 'a variable name without =',
  '^[A-Za-z0-9_-]+$': 'letters, digits, _ and -',
};
