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
          impacts: {
            type: 'array',
            description:
              "On the impact guard's 409, the active resources the change would re-match",
            items: {
              type: 'object',
              properties: {
                app: {
                  type: 'string',
                },
                env: {
                  type: 'string',
                },
                uid: {
                  type: 'string',
                },
                from: {
                  type: 'string',
                  description: 'The definition that provides it now',
                },
                to: {
                  description:
                    'The definition that would provide it, or null when none would',
                  oneOf: [
                    {
                      type: 'string',
                    },
                    {
                      type: 'null',
                    },
                  ],
                },
              },
              required: ['app', 'env', 'uid', 'from', 'to'],
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
          approval: {
            $ref: '#/components/schemas/ApprovalPolicy',
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
        },
        required: ['id', 'source', 'createdAt'],
      },
      ApprovalPolicy: {
        type: 'object',
        description:
          'Deployments, promotions and rollbacks to environments of the type wait for approval by someone other than their requester who holds orchestrator.deployment.approve on the environment. Absent when the type requires none.\n',
        additionalProperties: false,
        properties: {
          required: {
            type: 'boolean',
          },
          approvers: {
            type: 'array',
            description:
              "Entity refs to tell when a deployment awaits approval (who may approve is the permission's decision)",
            maxItems: 100,
            items: {
              type: 'string',
              pattern: '^[a-z]+:([^:/]+/)?[^:/]+$',
              maxLength: 255,
            },
          },
        },
        required: ['required'],
      },
      ApprovalDecision: {
        type: 'object',
        additionalProperties: false,
        properties: {
          comment: {
            type: 'string',
            maxLength: 2000,
            description: 'Why it is approved or rejected',
          },
        },
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
          repository: {
            $ref: '#/components/schemas/AppRepository',
          },
          watch: {
            type: 'array',
            description:
              'What the Git watcher follows for the app (GET /apps/{app} only): each repository branch, the environment its pushes deploy to, and the last commit handled\n',
            items: {
              $ref: '#/components/schemas/WatchedBranch',
            },
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
        },
        required: ['id', 'createdAt'],
      },
      AppRepository: {
        type: 'object',
        description:
          "The Git repository holding the app's Score files. The Git watcher follows it from the moment it is set: a push to a mapped branch that changes a Score file deploys it to that branch's environment.\n",
        additionalProperties: false,
        properties: {
          url: {
            type: 'string',
            minLength: 1,
            description:
              "A remote URL (https, ssh) or a path on the backend's host",
          },
          branches: {
            type: 'object',
            minProperties: 1,
            description: 'Branch → the environment its pushes deploy to',
            additionalProperties: {
              $ref: '#/components/schemas/Id',
            },
          },
          paths: {
            type: 'array',
            description:
              'Globs of Score files (default score.yaml and **/score.yaml)',
            items: {
              type: 'string',
              minLength: 1,
            },
          },
        },
        required: ['url', 'branches'],
      },
      WatchedBranch: {
        type: 'object',
        properties: {
          repository: {
            type: 'string',
          },
          source: {
            type: 'string',
            enum: ['app', 'config', 'catalog'],
            description:
              'app when the app names the repository, catalog when its catalog entity does (source location and baton.dev/branches), config for orchestrator.gitWatch.repositories',
          },
          branch: {
            type: 'string',
          },
          environment: {
            type: 'string',
          },
          lastCommit: {
            type: 'string',
            description: 'The last commit of the branch the watcher handled',
          },
        },
        required: ['repository', 'source', 'branch', 'environment'],
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
          deployMode: {
            $ref: '#/components/schemas/DeployMode',
          },
          clonedFrom: {
            type: 'string',
          },
          ttl: {
            type: 'string',
            description:
              'Time to live (ISO 8601 duration, e.g. PT2H); the environment is torn down at expiresAt',
          },
          expiresAt: {
            type: 'string',
            format: 'date-time',
          },
          preview: {
            type: 'object',
            description:
              'The pull request or branch a preview environment follows',
            properties: {
              source: {
                type: 'string',
                description:
                  "'#42' for a pull or merge request, else the branch",
              },
              branch: {
                type: 'string',
              },
              url: {
                type: 'string',
                description: "The pull request's page",
              },
            },
            required: ['source', 'branch'],
          },
          teardown: {
            type: 'string',
            enum: [
              'expired',
              'preview-closed',
              'branch-deleted',
              'deleted',
              'app-deleted',
            ],
            description:
              'Why the environment is being torn down; it takes no deployments meanwhile',
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
        },
        required: ['appId', 'id', 'type', 'deployMode', 'createdAt'],
      },
      DeployMode: {
        type: 'string',
        enum: ['gitops', 'direct'],
        description:
          'gitops commits the rendered manifests to the GitOps repository; direct runs the drivers and hands the manifests to the installed cluster applier, keeping them with the deployment\n',
      },
      ResourceDefinitionView: {
        type: 'object',
        properties: {
          apiVersion: {
            type: 'string',
          },
          kind: {
            type: 'string',
          },
          metadata: {
            type: 'object',
          },
          spec: {
            type: 'object',
          },
          source: {
            type: 'string',
            enum: ['api', 'config'],
          },
          revision: {
            type: 'integer',
          },
        },
        required: [
          'apiVersion',
          'kind',
          'metadata',
          'spec',
          'source',
          'revision',
        ],
      },
      Deployment: {
        type: 'object',
        properties: {
          id: {
            type: 'string',
          },
          app: {
            type: 'string',
          },
          env: {
            type: 'string',
          },
          status: {
            $ref: '#/components/schemas/DeploymentStatus',
          },
          createdAt: {
            type: 'string',
          },
          startedAt: {
            type: 'string',
            description: 'When a runner took the deployment',
          },
          finishedAt: {
            type: 'string',
            description: 'When it succeeded',
            failed: null,
            'was cancelled or rejected': null,
          },
          createdBy: {
            type: 'string',
            description: 'Who requested it',
          },
          decidedBy: {
            type: 'string',
            description:
              'Who approved or rejected it (environment types that require approval)',
          },
          decidedAt: {
            type: 'string',
          },
          decisionComment: {
            type: 'string',
            description: 'Why it was approved or rejected',
          },
          comment: {
            type: 'string',
          },
          setId: {
            type: 'string',
          },
          previousId: {
            type: 'string',
          },
          error: {
            type: 'string',
          },
          commit: {
            type: 'string',
          },
          nodes: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                uid: {
                  type: 'string',
                },
                status: {
                  type: 'string',
                },
                message: {
                  type: 'string',
                },
              },
              required: ['uid', 'status'],
            },
          },
          nodeCounts: {
            type: 'object',
            description:
              "How many of the deployment's nodes are in each status",
            additionalProperties: {
              type: 'integer',
            },
          },
          diff: {
            type: 'object',
          },
        },
        required: ['id', 'status', 'createdAt', 'createdBy', 'setId'],
      },
      ActiveResource: {
        type: 'object',
        properties: {
          app: {
            type: 'string',
          },
          env: {
            type: 'string',
          },
          envType: {
            type: 'string',
          },
          workloads: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          uid: {
            type: 'string',
          },
          resId: {
            type: 'string',
          },
          type: {
            type: 'string',
          },
          class: {
            type: 'string',
          },
          guresid: {
            type: 'string',
          },
          definition: {
            type: 'string',
          },
          status: {
            type: 'string',
          },
          outputs: {
            type: 'object',
          },
          secretOutputs: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          lastRun: {
            description:
              "What the driver's last run changed, for drivers that report it (the terraform driver's plan summary: apply, destroy, or a drift check's plan). The state itself is never served.\n",
            type: 'object',
            properties: {
              operation: {
                type: 'string',
                enum: ['apply', 'destroy', 'plan'],
              },
              add: {
                type: 'integer',
              },
              change: {
                type: 'integer',
              },
              destroy: {
                type: 'integer',
              },
              at: {
                type: 'string',
                format: 'date-time',
              },
            },
            required: ['operation', 'add', 'change', 'destroy', 'at'],
          },
        },
        required: [
          'app',
          'env',
          'uid',
          'resId',
          'type',
          'class',
          'guresid',
          'definition',
          'status',
          'outputs',
          'secretOutputs',
        ],
      },
      DriftReport: {
        type: 'object',
        properties: {
          checkedAt: {
            type: 'string',
          },
          items: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                uid: {
                  type: 'string',
                },
                kind: {
                  type: 'string',
                },
                detail: {
                  type: 'string',
                },
              },
              required: ['uid', 'kind', 'detail'],
            },
          },
        },
        required: ['checkedAt', 'items'],
      },
      DeploymentStatus: {
        type: 'string',
        description:
          'awaiting-approval: stored with its plan until someone approves (then queued) or rejects it (rejected); cancelled: superseded by a newer request before it ran\n',
        enum: [
          'awaiting-approval',
          'queued',
          'running',
          'succeeded',
          'failed',
          'cancelled',
          'rejected',
        ],
      },
      QueuedDeployment: {
        type: 'object',
        properties: {
          id: {
            type: 'string',
          },
          status: {
            $ref: '#/components/schemas/DeploymentStatus',
          },
        },
        required: ['id', 'status'],
      },
      DeploymentLogLine: {
        type: 'object',
        properties: {
          id: {
            type: 'integer',
          },
          createdAt: {
            type: 'string',
          },
          level: {
            type: 'string',
          },
          uid: {
            type: 'string',
          },
          message: {
            type: 'string',
          },
        },
        required: ['id', 'createdAt', 'level', 'message'],
      },
      InstalledDriver: {
        type: 'object',
        description:
          'A driver installed in the backend, as a definition names it in spec.driver',
        properties: {
          id: {
            type: 'string',
          },
          pure: {
            type: 'boolean',
            description:
              'Without side effects: a dry run runs it to show outputs',
          },
          inputsSchema: {
            type: 'object',
            description:
              "JSON Schema (draft 2020-12) of a definition's spec.driverInputs.values, checked when the definition is saved and again, resolved, at deployment. On saving, a value holding a placeholder may stand for any type, and a key given in spec.driverInputs.secrets counts as present (never as unknown)\n",
          },
        },
        required: ['id', 'pure'],
        additionalProperties: false,
      },
      ResourceType: {
        type: 'object',
        properties: {
          type: {
            type: 'string',
          },
          classes: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          definitions: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          description: {
            type: 'string',
          },
        },
        required: ['type', 'classes', 'definitions'],
        additionalProperties: false,
      },
      GraphNode: {
        type: 'object',
        properties: {
          uid: {
            type: 'string',
          },
          resId: {
            type: 'string',
          },
          type: {
            type: 'string',
          },
          class: {
            type: 'string',
          },
          definition: {
            type: 'string',
            description:
              'Id of the definition that matched (built-in ones are baton-default-<type>)',
          },
          criterion: {
            description:
              'The criterion that won, or null for built-in definitions',
            oneOf: [
              {
                type: 'object',
                additionalProperties: {
                  type: 'string',
                },
              },
              {
                type: 'null',
              },
            ],
          },
          dependsOn: {
            type: 'array',
            items: {
              type: 'string',
            },
            description: 'Uids of the nodes this one needs',
          },
        },
        required: [
          'uid',
          'resId',
          'type',
          'class',
          'definition',
          'criterion',
          'dependsOn',
        ],
      },
      Graph: {
        type: 'object',
        description:
          'The resource graph of a deployment, nodes in dependency order',
        properties: {
          deploymentId: {
            type: 'string',
          },
          hash: {
            type: 'string',
            description: 'Content hash of the graph (sha256 hex)',
          },
          nodes: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/GraphNode',
            },
          },
        },
        required: ['deploymentId', 'hash', 'nodes'],
      },
      PlannedNode: {
        type: 'object',
        description:
          "A node of a dry run's plan: the graph node with its outputs (secret ones only as keys) and what a deployment would do to it; a node to delete carries only its identity\n",
        properties: {
          uid: {
            type: 'string',
          },
          resId: {
            type: 'string',
          },
          type: {
            type: 'string',
          },
          class: {
            type: 'string',
          },
          definition: {
            type: 'string',
          },
          criterion: {
            oneOf: [
              {
                type: 'object',
                additionalProperties: {
                  type: 'string',
                },
              },
              {
                type: 'null',
              },
            ],
          },
          dependsOn: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          outputs: {
            type: 'object',
          },
          secretOutputs: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          status: {
            type: 'string',
            enum: ['not-run', 'failed', 'skipped'],
            description:
              "Set when the node's driver did not run (side effects wait for deploy) or failed",
          },
          message: {
            type: 'string',
          },
          action: {
            type: 'string',
            enum: ['create', 'update', 'none', 'delete'],
            description:
              "What a deployment would do to it; only in a dry run's plan and that of a deployment awaiting approval",
          },
        },
        required: ['uid', 'resId', 'type', 'class', 'definition'],
      },
      DeploymentPlan: {
        type: 'object',
        description:
          "A plan, as the CLI's plan JSON: a dry run's has an action per node, as has the plan a deployment awaiting approval keeps; once a deployment delivered, its stored plan (`GET …/deployments/{id}/plan`) has none\n",
        properties: {
          app: {
            type: 'string',
          },
          env: {
            type: 'string',
          },
          envType: {
            type: 'string',
          },
          hash: {
            type: 'string',
            description: 'Content hash of the graph (sha256 hex)',
          },
          nodes: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/PlannedNode',
            },
          },
        },
        required: ['app', 'env', 'envType', 'hash', 'nodes'],
      },
      ExplainCandidate: {
        type: 'object',
        properties: {
          definition: {
            type: 'string',
          },
          criterion: {
            type: 'object',
            additionalProperties: {
              type: 'string',
            },
          },
          matched: {
            type: 'boolean',
          },
          reason: {
            type: 'string',
          },
          rank: {
            type: 'integer',
            description: 'resId=8, envId=4, appId=2, envType=1, summed',
          },
        },
        required: ['definition', 'criterion', 'matched', 'reason', 'rank'],
      },
      ExplainResult: {
        type: 'object',
        properties: {
          type: {
            type: 'string',
          },
          class: {
            type: 'string',
          },
          resId: {
            type: 'string',
          },
          context: {
            type: 'object',
            properties: {
              appId: {
                type: 'string',
              },
              envId: {
                type: 'string',
              },
              envType: {
                type: 'string',
              },
            },
            required: ['appId', 'envId', 'envType'],
          },
          chosen: {
            description:
              'The definition that wins, or null when nothing matches',
            oneOf: [
              {
                type: 'string',
              },
              {
                type: 'null',
              },
            ],
          },
          candidates: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/ExplainCandidate',
            },
          },
        },
        required: ['type', 'class', 'resId', 'context', 'chosen', 'candidates'],
      },
      Id: {
        type: 'string',
        description: 'A lowercase RFC 1123 label',
        pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$',
      },
    },
    parameters: {
      definitionId: {
        name: 'id',
        in: 'path',
        required: true,
        schema: {
          type: 'string',
          pattern: '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$',
        },
      },
      deploymentId: {
        name: 'id',
        in: 'path',
        required: true,
        schema: {
          type: 'string',
        },
      },
      dryRun: {
        name: 'dryRun',
        in: 'query',
        required: false,
        description:
          'Return the plan of what the deployment would do instead of queueing it',
        schema: {
          type: 'string',
          enum: ['true', 'false'],
        },
      },
      force: {
        name: 'force',
        in: 'query',
        required: false,
        description:
          'Apply a change that re-matches or removes active resources',
        schema: {
          type: 'string',
          enum: ['true', 'false'],
        },
      },
      limit: {
        name: 'limit',
        in: 'query',
        required: false,
        description: 'Page size, 1 to 1000',
        schema: {
          type: 'string',
          pattern: '^([1-9][0-9]{0,2}|1000)$',
        },
      },
      cursor: {
        name: 'cursor',
        in: 'query',
        required: false,
        description:
          'The nextCursor of the previous page; any other value is a 400',
        schema: {
          type: 'string',
        },
      },
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
      PayloadTooLarge: {
        description: 'The request body is larger than 10 MB',
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
                  approval: {
                    $ref: '#/components/schemas/ApprovalPolicy',
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
          '413': {
            $ref: '#/components/responses/PayloadTooLarge',
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
                  repository: {
                    description:
                      'Without it an existing app keeps its repository; null stops watching',
                    oneOf: [
                      {
                        $ref: '#/components/schemas/AppRepository',
                      },
                      {
                        type: 'null',
                      },
                    ],
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
          '413': {
            $ref: '#/components/responses/PayloadTooLarge',
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
        description:
          "Deletes the app with its environments, each torn down as DELETE of it does (active resources deprovisioned, GitOps folder and Argo CD Application removed); it needs orchestrator.environment.manage on every environment first. 204 once all are gone; 202 while some wait for their queued or running deployments or a driver failed (the backends' expiry check finishes them, and the app goes with the last).\n",
        responses: {
          '202': {
            description:
              'Its environments are being torn down; the app is deleted with the last',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    teardown: {
                      type: 'string',
                    },
                    message: {
                      type: 'string',
                    },
                  },
                  required: ['teardown', 'message'],
                },
              },
            },
          },
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
                  deployMode: {
                    $ref: '#/components/schemas/DeployMode',
                  },
                  cloneFrom: {
                    $ref: '#/components/schemas/Id',
                  },
                  ttl: {
                    type: ['string', 'null'],
                    description:
                      'Time to live, an ISO 8601 duration (PT2H, P3D; at most a year): the environment expires that long from now, also when set again (extend); null: it never expires; absent: its expiry stays\n',
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
          '409': {
            $ref: '#/components/responses/Conflict',
          },
          '413': {
            $ref: '#/components/responses/PayloadTooLarge',
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
        description:
          "Tears the environment down: it refuses deployments from now on, its active resources are deprovisioned through their drivers, its GitOps folder and Argo CD Application removed, and it is deleted. 204 once done; 202 while it waits for its queued or running deployments or a driver failed (the backends' expiry check finishes it).\n",
        responses: {
          '202': {
            description: 'Being torn down',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    teardown: {
                      type: 'string',
                    },
                    message: {
                      type: 'string',
                    },
                  },
                  required: ['teardown', 'message'],
                },
              },
            },
          },
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
    '/resource-definitions': {
      get: {
        operationId: 'listResourceDefinitions',
        responses: {
          '200': {
            description: 'All resource definitions; secrets only as their keys',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/ResourceDefinitionView',
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
    '/resource-types': {
      get: {
        operationId: 'listResourceTypes',
        parameters: [
          {
            name: 'envType',
            in: 'query',
            required: false,
            description:
              'Only the types a definition provides in environments of this type',
            schema: {
              type: 'string',
            },
          },
        ],
        responses: {
          '200': {
            description:
              'The resource types the platform provides, with their classes',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/ResourceType',
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
    '/drivers': {
      get: {
        operationId: 'listDrivers',
        responses: {
          '200': {
            description:
              'The installed drivers, by id, with the schemas of their inputs',
            content: {
              'application/json': {
                schema: {
                  type: 'array',
                  items: {
                    $ref: '#/components/schemas/InstalledDriver',
                  },
                },
              },
            },
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
        },
      },
    },
    '/resource-definitions/{id}': {
      get: {
        operationId: 'getResourceDefinition',
        responses: {
          '200': {
            description: 'The definition; secrets only as their keys',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/ResourceDefinitionView',
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
            $ref: '#/components/parameters/definitionId',
          },
        ],
      },
      put: {
        operationId: 'putResourceDefinition',
        parameters: [
          {
            $ref: '#/components/parameters/definitionId',
          },
          {
            $ref: '#/components/parameters/force',
          },
        ],
        requestBody: {
          required: true,
          description:
            'A ResourceDefinition document as JSON, or as YAML with Content-Type application/yaml. Its driver must be installed and spec.driverInputs must suit it (GET /drivers): a 400 names each field that does not, in details (path spec.driverInputs.values.<field>, and line and column in a YAML body)\n',
          content: {
            'application/json': {
              schema: {
                type: 'object',
              },
            },
            'application/yaml': {
              schema: {
                type: 'string',
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The definition, created or replaced',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/ResourceDefinitionView',
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
          '409': {
            $ref: '#/components/responses/Conflict',
          },
          '413': {
            $ref: '#/components/responses/PayloadTooLarge',
          },
        },
      },
      delete: {
        operationId: 'deleteResourceDefinition',
        parameters: [
          {
            $ref: '#/components/parameters/definitionId',
          },
          {
            $ref: '#/components/parameters/force',
          },
        ],
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
      },
    },
    '/apps/{app}/envs/{env}/deployments': {
      get: {
        operationId: 'listDeployments',
        parameters: [
          {
            $ref: '#/components/parameters/app',
          },
          {
            $ref: '#/components/parameters/env',
          },
          {
            $ref: '#/components/parameters/limit',
          },
          {
            $ref: '#/components/parameters/cursor',
          },
        ],
        responses: {
          '200': {
            description: 'Deployments, newest first',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/Deployment',
                      },
                    },
                    nextCursor: {
                      type: 'string',
                    },
                  },
                  required: ['items'],
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
        },
      },
      post: {
        operationId: 'createDeployment',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['workloads'],
                properties: {
                  workloads: {
                    type: 'array',
                    minItems: 1,
                    description:
                      'Score documents, as YAML or JSON strings or as objects',
                    items: {},
                  },
                  comment: {
                    type: 'string',
                  },
                  dryRun: {
                    type: 'boolean',
                  },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The plan of a dry run, with an action per node',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    plan: {
                      $ref: '#/components/schemas/DeploymentPlan',
                    },
                  },
                  required: ['plan'],
                },
              },
            },
          },
          '202': {
            description: 'The deployment is queued',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/QueuedDeployment',
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
          '413': {
            $ref: '#/components/responses/PayloadTooLarge',
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
    '/apps/{app}/envs/{env}/deployments/{id}': {
      get: {
        operationId: 'getDeployment',
        parameters: [
          {
            $ref: '#/components/parameters/app',
          },
          {
            $ref: '#/components/parameters/env',
          },
          {
            $ref: '#/components/parameters/deploymentId',
          },
          {
            name: 'nodes',
            in: 'query',
            required: false,
            description:
              "`false` leaves the per-node list and the diff out (a big deployment's are thousands of entries), so that polling its status stays cheap; `nodeCounts` still says how far it is",
            schema: {
              type: 'string',
              enum: ['true', 'false'],
            },
          },
        ],
        responses: {
          '200': {
            description:
              'The deployment with per-node status and the diff against the previous one',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Deployment',
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
      },
    },
    '/apps/{app}/envs/{env}/deployments/{id}/log': {
      get: {
        operationId: 'getDeploymentLog',
        parameters: [
          {
            $ref: '#/components/parameters/app',
          },
          {
            $ref: '#/components/parameters/env',
          },
          {
            $ref: '#/components/parameters/deploymentId',
          },
          {
            name: 'after',
            in: 'query',
            required: false,
            description: 'Only lines after this id',
            schema: {
              type: 'string',
              pattern: '^[0-9]+$',
            },
          },
        ],
        responses: {
          '200': {
            description: 'Log lines in order',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    lines: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/DeploymentLogLine',
                      },
                    },
                  },
                  required: ['lines'],
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
      },
    },
    '/apps/{app}/envs/{env}/deployments/{id}/manifests': {
      get: {
        operationId: 'getDeploymentManifests',
        responses: {
          '200': {
            description:
              'The manifests the deployment delivered, by file name (secrets as ExternalSecret references); for a direct environment, what was handed to the cluster applier. Before it delivers, those a deployment awaiting approval would deliver (`proposed`), rendered without provisioning when it was requested.\n',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    files: {
                      type: 'object',
                      additionalProperties: {
                        type: 'string',
                      },
                    },
                    proposed: {
                      type: 'boolean',
                      description:
                        "true: the manifests the deployment would deliver, rendered from the active resources' outputs; an output only provisioning tells reads `(known after provisioning: resources.<name>.<key>)`. false: delivered.\n",
                    },
                    knownAfterProvisioning: {
                      type: 'array',
                      description:
                        'Proposed manifests only; the nodes (uids) whose outputs and manifests only provisioning tells.',
                      items: {
                        type: 'string',
                      },
                    },
                  },
                  required: ['files', 'proposed'],
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
          {
            $ref: '#/components/parameters/deploymentId',
          },
        ],
      },
    },
    '/apps/{app}/envs/{env}/deployments/{id}/plan': {
      get: {
        operationId: 'getDeploymentPlan',
        responses: {
          '200': {
            description:
              'What the deployment planned: every node of its graph with the definition and criterion that matched, what it depends on, and its outputs (secret ones only as keys). Kept once the deployment delivers; 404 for one that stopped earlier.\n',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/DeploymentPlan',
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
          {
            $ref: '#/components/parameters/deploymentId',
          },
        ],
      },
    },
    '/apps/{app}/envs/{env}/deployments/{id}/approve': {
      post: {
        operationId: 'approveDeployment',
        description:
          "Needs orchestrator.deployment.approve on the environment; never allowed to the deployment's requester (403). 409 when the deployment no longer awaits approval.\n",
        requestBody: {
          required: false,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/ApprovalDecision',
              },
            },
          },
        },
        responses: {
          '200': {
            description:
              'Approved, the deployment is queued and runs in its turn',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Deployment',
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
          '409': {
            $ref: '#/components/responses/Conflict',
          },
        },
        parameters: [
          {
            $ref: '#/components/parameters/app',
          },
          {
            $ref: '#/components/parameters/env',
          },
          {
            $ref: '#/components/parameters/deploymentId',
          },
        ],
      },
    },
    '/apps/{app}/envs/{env}/deployments/{id}/reject': {
      post: {
        operationId: 'rejectDeployment',
        description:
          "Needs orchestrator.deployment.approve on the environment; never allowed to the deployment's requester (403). 409 when the deployment no longer awaits approval.\n",
        requestBody: {
          required: false,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/ApprovalDecision',
              },
            },
          },
        },
        responses: {
          '200': {
            description:
              'Rejected, the deployment ends rejected and never runs',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Deployment',
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
          '409': {
            $ref: '#/components/responses/Conflict',
          },
        },
        parameters: [
          {
            $ref: '#/components/parameters/app',
          },
          {
            $ref: '#/components/parameters/env',
          },
          {
            $ref: '#/components/parameters/deploymentId',
          },
        ],
      },
    },
    '/apps/{app}/envs/{env}/deployments/{id}/rollback': {
      post: {
        operationId: 'rollbackDeployment',
        parameters: [
          {
            $ref: '#/components/parameters/app',
          },
          {
            $ref: '#/components/parameters/env',
          },
          {
            $ref: '#/components/parameters/deploymentId',
          },
          {
            $ref: '#/components/parameters/dryRun',
          },
        ],
        responses: {
          '200': {
            description:
              "With dryRun, the plan of deploying that deployment's set again",
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    plan: {
                      $ref: '#/components/schemas/DeploymentPlan',
                    },
                  },
                  required: ['plan'],
                },
              },
            },
          },
          '202': {
            description: "A deployment of that deployment's set is queued",
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/QueuedDeployment',
                },
              },
            },
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
      },
    },
    '/apps/{app}/envs/{env}/promote': {
      post: {
        operationId: 'promote',
        parameters: [
          {
            $ref: '#/components/parameters/app',
          },
          {
            $ref: '#/components/parameters/env',
          },
          {
            $ref: '#/components/parameters/dryRun',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['from'],
                properties: {
                  from: {
                    $ref: '#/components/schemas/Id',
                  },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            description:
              "With dryRun, the plan of deploying the source environment's last successful set here",
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    plan: {
                      $ref: '#/components/schemas/DeploymentPlan',
                    },
                  },
                  required: ['plan'],
                },
              },
            },
          },
          '202': {
            description:
              "The source environment's last successful set is queued here; resources are matched for this environment",
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/QueuedDeployment',
                },
              },
            },
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
          '413': {
            $ref: '#/components/responses/PayloadTooLarge',
          },
        },
      },
    },
    '/apps/{app}/envs/{env}/graph': {
      get: {
        operationId: 'getGraph',
        responses: {
          '200': {
            description: 'The graph of the last successful deployment',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Graph',
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
    },
    '/apps/{app}/envs/{env}/resources': {
      get: {
        operationId: 'listEnvironmentResources',
        responses: {
          '200': {
            description: 'Active resources; secret outputs only as keys',
            content: {
              'application/json': {
                schema: {
                  type: 'array',
                  items: {
                    $ref: '#/components/schemas/ActiveResource',
                  },
                },
              },
            },
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
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
    '/apps/{app}/envs/{env}/resources/{uid}': {
      delete: {
        operationId: 'deprovisionResource',
        parameters: [
          {
            $ref: '#/components/parameters/app',
          },
          {
            $ref: '#/components/parameters/env',
          },
          {
            name: 'uid',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            $ref: '#/components/parameters/force',
          },
        ],
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
      },
    },
    '/deployments': {
      get: {
        operationId: 'listAllDeployments',
        parameters: [
          {
            name: 'status',
            in: 'query',
            required: false,
            description:
              'Only deployments with this status (awaiting-approval lists what waits for approval)',
            schema: {
              $ref: '#/components/schemas/DeploymentStatus',
            },
          },
          {
            $ref: '#/components/parameters/limit',
          },
          {
            $ref: '#/components/parameters/cursor',
          },
        ],
        responses: {
          '200': {
            description:
              'Deployments of every app and environment, newest first',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/Deployment',
                      },
                    },
                    nextCursor: {
                      type: 'string',
                    },
                  },
                  required: ['items'],
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
        },
      },
    },
    '/resources': {
      get: {
        operationId: 'listResources',
        parameters: [
          {
            name: 'status',
            in: 'query',
            required: false,
            description:
              'Only resources with this status (orphaned ones are no longer in any workload)',
            schema: {
              type: 'string',
              enum: ['pending', 'active', 'failed', 'deleting', 'orphaned'],
            },
          },
          {
            name: 'app',
            in: 'query',
            required: false,
            description: "Only this app's resources",
            schema: {
              type: 'string',
            },
          },
          {
            name: 'env',
            in: 'query',
            required: false,
            description:
              'Only resources of environments with this id (with `app`, one environment read page by page)',
            schema: {
              type: 'string',
            },
          },
          {
            $ref: '#/components/parameters/limit',
          },
          {
            $ref: '#/components/parameters/cursor',
          },
        ],
        responses: {
          '200': {
            description: 'Active resources of every app and environment',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/ActiveResource',
                      },
                    },
                    nextCursor: {
                      type: 'string',
                    },
                  },
                  required: ['items'],
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
        },
      },
    },
    '/explain': {
      get: {
        operationId: 'explain',
        parameters: [
          {
            name: 'type',
            in: 'query',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'class',
            in: 'query',
            required: false,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'app',
            in: 'query',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'env',
            in: 'query',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'envType',
            in: 'query',
            required: false,
            description:
              "Explain for an environment of this type (the environment need not exist); the environment's own type otherwise",
            schema: {
              type: 'string',
            },
          },
          {
            name: 'resId',
            in: 'query',
            required: true,
            schema: {
              type: 'string',
            },
          },
        ],
        responses: {
          '200': {
            description:
              'Every candidate criterion, why it matched or not, and its rank',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/ExplainResult',
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
      },
    },
    '/secrets/{app}/{env}/{secret}': {
      get: {
        operationId: 'getDeliveredSecret',
        description:
          "The data of a Secret a deployment delivered, for the External Secrets Operator's webhook provider. Service credentials only.",
        responses: {
          '200': {
            description: "The secret's data",
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    data: {
                      type: 'object',
                      additionalProperties: {
                        type: 'string',
                      },
                    },
                  },
                  required: ['data'],
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
          {
            name: 'secret',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
        ],
      },
    },
    '/secrets/{app}/{env}/{secret}/{key}': {
      get: {
        operationId: 'getDeliveredSecretKey',
        description:
          "One key of a Secret a deployment delivered, as the External Secrets Operator's webhook provider reads it (result.jsonPath `$.value`). Service credentials only.\n",
        responses: {
          '200': {
            description: "The key's value",
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    value: {
                      type: 'string',
                    },
                  },
                  required: ['value'],
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
          {
            name: 'secret',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'key',
            in: 'path',
            required: true,
            description: "A key of the Secret's data, e.g. main.DATABASE_URL",
            schema: {
              type: 'string',
            },
          },
        ],
      },
    },
    '/apps/{app}/envs/{env}/drift': {
      get: {
        operationId: 'getDrift',
        responses: {
          '200': {
            description: 'The last drift check of the environment',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/DriftReport',
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
      post: {
        operationId: 'checkDrift',
        description:
          'Checks the environment for drift now (and reverts it when configured to). 409 while a deployment of the environment is queued or running (its result is compared once it finishes), or while another backend on the same database delivers to a different GitOps repository.\n',
        responses: {
          '200': {
            description: 'The drift found',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/DriftReport',
                },
              },
            },
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
            $ref: '#/components/parameters/app',
          },
          {
            $ref: '#/components/parameters/env',
          },
        ],
      },
    },
    '/webhooks/git': {
      post: {
        operationId: 'gitWebhook',
        description:
          'Push notification for the Git watcher (no Backstage token needed): polls the watched repositories now, or only the one named in the body (`repository` as a URL or path, or a GitHub or GitLab push event). A GitHub `pull_request` or GitLab `Merge Request Hook` event on a watched repository opens (opened, reopened, synchronize / open, reopen, update) or tears down (closed / close, merge) its preview environment `pr-<number>` and polls the branch. With `orchestrator.gitWatch.webhookSecret` configured, a request must carry `X-Hub-Signature-256` (GitHub: HMAC-SHA256 of the body) or `X-Gitlab-Token`.\n',
        requestBody: {
          required: false,
          content: {
            'application/json': {
              schema: {
                type: 'object',
              },
            },
          },
        },
        responses: {
          '202': {
            description: 'The repositories were polled; the deployments queued',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    queued: {
                      type: 'array',
                      items: {
                        type: 'string',
                      },
                    },
                    previews: {
                      type: 'array',
                      items: {
                        type: 'string',
                      },
                      description:
                        'The preview environments (app/env) a pull request opened or tears down',
                    },
                    ignored: {
                      type: 'string',
                      description: 'Why a pull request event changed nothing',
                    },
                  },
                  required: ['queued'],
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
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
        },
      },
    },
  },
} as const;

export const createOpenApiRouter = async (
  options?: Parameters<typeof createValidatedOpenApiRouter>['1'],
) => createValidatedOpenApiRouter<typeof spec>(spec, options);
