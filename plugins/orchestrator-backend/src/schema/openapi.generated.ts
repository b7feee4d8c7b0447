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
      EnvironmentType: {
        type: 'object',
        properties: {
          id: {
            $ref: '#/components/schemas/Id',
          },
          name: {
            type: 'string',
          },
          source: {
            type: 'string',
            enum: ['api', 'config'],
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
        },
        required: ['id', 'source', 'createdAt'],
      },
      App: {
        type: 'object',
        properties: {
          id: {
            $ref: '#/components/schemas/Id',
          },
          title: {
            type: 'string',
          },
          entityRef: {
            type: 'string',
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
        },
        required: ['id', 'createdAt'],
      },
      Environment: {
        type: 'object',
        properties: {
          appId: {
            $ref: '#/components/schemas/Id',
          },
          id: {
            $ref: '#/components/schemas/Id',
          },
          type: {
            $ref: '#/components/schemas/Id',
          },
          clonedFrom: {
            type: 'string',
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
        },
        required: ['appId', 'id', 'type', 'createdAt'],
      },
      Id: {
        type: 'string',
        description: 'A lowercase RFC 1123 label',
        pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$',
      },
    },
    parameters: {
      app: {
        name: 'app',
        in: 'path',
        required: true,
        schema: {
          $ref: '#/components/schemas/Id',
        },
      },
      env: {
        name: 'env',
        in: 'path',
        required: true,
        schema: {
          $ref: '#/components/schemas/Id',
        },
      },
      envTypeId: {
        name: 'id',
        in: 'path',
        required: true,
        schema: {
          $ref: '#/components/schemas/Id',
        },
      },
    },
    responses: {
      NoContent: {
        description: 'Done',
      },
      NotFound: {
        description: 'No such object',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
      Conflict: {
        description: 'The change conflicts with the current state',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
      BadRequest: {
        description: 'Invalid input; `details` names each problem',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
      Forbidden: {
        description: 'Denied by the permission policy',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
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
    '/env-types': {
      get: {
        operationId: 'listEnvironmentTypes',
        responses: {
          '200': {
            description: 'All environment types',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/EnvironmentType',
                      },
                    },
                  },
                  required: ['items'],
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
    '/env-types/{id}': {
      get: {
        operationId: 'getEnvironmentType',
        responses: {
          '200': {
            description: 'The environment type',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/EnvironmentType',
                },
              },
            },
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
        parameters: [
          {
            $ref: '#/components/parameters/envTypeId',
          },
        ],
      },
      put: {
        operationId: 'putEnvironmentType',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  name: {
                    type: 'string',
                  },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The environment type, created or updated',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/EnvironmentType',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
        },
        parameters: [
          {
            $ref: '#/components/parameters/envTypeId',
          },
        ],
      },
      delete: {
        operationId: 'deleteEnvironmentType',
        responses: {
          '204': {
            $ref: '#/components/responses/NoContent',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
        },
        parameters: [
          {
            $ref: '#/components/parameters/envTypeId',
          },
        ],
      },
    },
    '/apps': {
      get: {
        operationId: 'listApps',
        responses: {
          '200': {
            description: 'All apps',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/App',
                      },
                    },
                  },
                  required: ['items'],
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
    '/apps/{app}': {
      get: {
        operationId: 'getApp',
        responses: {
          '200': {
            description: 'The app',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/App',
                },
              },
            },
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
        parameters: [
          {
            $ref: '#/components/parameters/app',
          },
        ],
      },
      put: {
        operationId: 'putApp',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  title: {
                    type: 'string',
                  },
                  entityRef: {
                    type: 'string',
                  },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The app, created or updated',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/App',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
        },
        parameters: [
          {
            $ref: '#/components/parameters/app',
          },
        ],
      },
      delete: {
        operationId: 'deleteApp',
        responses: {
          '204': {
            $ref: '#/components/responses/NoContent',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
        parameters: [
          {
            $ref: '#/components/parameters/app',
          },
        ],
      },
    },
    '/apps/{app}/envs': {
      get: {
        operationId: 'listEnvironments',
        responses: {
          '200': {
            description: "The app's environments",
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/Environment',
                      },
                    },
                  },
                  required: ['items'],
                },
              },
            },
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
        parameters: [
          {
            $ref: '#/components/parameters/app',
          },
        ],
      },
    },
    '/apps/{app}/envs/{env}': {
      get: {
        operationId: 'getEnvironment',
        responses: {
          '200': {
            description: 'The environment',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Environment',
                },
              },
            },
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
        parameters: [
          {
            $ref: '#/components/parameters/app',
          },
          {
            $ref: '#/components/parameters/env',
          },
        ],
      },
      put: {
        operationId: 'putEnvironment',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  type: {
                    $ref: '#/components/schemas/Id',
                  },
                  cloneFrom: {
                    $ref: '#/components/schemas/Id',
                  },
                },
                required: ['type'],
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The environment, created or updated',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Environment',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
        parameters: [
          {
            $ref: '#/components/parameters/app',
          },
          {
            $ref: '#/components/parameters/env',
          },
        ],
      },
      delete: {
        operationId: 'deleteEnvironment',
        responses: {
          '204': {
            $ref: '#/components/responses/NoContent',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
        parameters: [
          {
            $ref: '#/components/parameters/app',
          },
          {
            $ref: '#/components/parameters/env',
          },
        ],
      },
    },
  },
} as const;

export const createOpenApiRouter = async (
  options?: Parameters<typeof createValidatedOpenApiRouter>['1'],
) => createValidatedOpenApiRouter<typeof spec>(spec, options);
