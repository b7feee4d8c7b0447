// Generated from openapi.yaml by scripts/generate-openapi.js; do not edit.
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';

export const spec = {
  openapi: '3.1.0',
  info: {
    title: 'orchestrator',
    version: '1',
    description:
      "Baton's platform orchestrator. Every route needs a Backstage user or service token.\n",
    license: {
      name: 'Apache-2.0',
    },
  },
  servers: [
    {
      url: '/',
    },
  ],
  components: {
    schemas: {
      Error: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: {
              name: {
                type: 'string',
              },
              message: {
                type: 'string',
              },
            },
            required: ['name', 'message'],
          },
          details: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                file: {
                  type: 'string',
                },
                line: {
                  type: 'integer',
                },
                column: {
                  type: 'integer',
                },
                path: {
                  type: 'string',
                },
                message: {
                  type: 'string',
                },
              },
              required: ['message'],
            },
          },
        },
        required: ['error'],
      },
    },
    responses: {
      Unauthorized: {
        description: 'Missing or invalid credentials',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
    },
  },
  paths: {
    '/health': {
      get: {
        operationId: 'getHealth',
        summary: 'Whether the orchestrator is up, and what it has loaded',
        responses: {
          '200': {
            description: 'The orchestrator is up',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    status: {
                      type: 'string',
                      enum: ['ok'],
                    },
                  },
                  required: ['status'],
                },
              },
            },
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
        },
      },
    },
  },
} as const;

export const createOpenApiRouter = async (
  options?: Parameters<typeof createValidatedOpenApiRouter>['1'],
) => createValidatedOpenApiRouter<typeof spec>(spec, options);
