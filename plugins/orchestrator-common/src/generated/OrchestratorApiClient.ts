// Generated from plugins/orchestrator-backend/src/schema/openapi.yaml by scripts/generate-openapi.js; do not edit.
import { ResponseError } from '@backstage/errors';
import type {
  ActiveResource,
  App,
  ApprovalDecision,
  CreateDeployment200Response,
  CreateDeploymentRequest,
  DeleteApp202Response,
  DeleteEnvironment202Response,
  Deployment,
  DeploymentPlan,
  DeploymentStatus,
  DriftReport,
  Environment,
  EnvironmentType,
  ExplainResult,
  GetDeliveredSecretKeyResponse,
  GetDeliveredSecretResponse,
  GetDeploymentLogResponse,
  GetDeploymentManifestsResponse,
  GetHealthResponse,
  GitWebhookResponse,
  Graph,
  Id,
  InstalledDriver,
  ListAllDeploymentsResponse,
  ListAppsResponse,
  ListDeploymentsResponse,
  ListEnvironmentTypesResponse,
  ListEnvironmentsResponse,
  ListResourceDefinitionsResponse,
  ListResourceTypesResponse,
  ListResourcesResponse,
  Promote200Response,
  PromoteRequest,
  PutAppRequest,
  PutEnvironmentRequest,
  PutEnvironmentTypeRequest,
  QueuedDeployment,
  ResourceDefinitionView,
  RollbackDeployment200Response,
} from './models';

/** Per-call options: the bearer token to send, when the fetch does not add one. @public */
export interface RequestOptions {
  token?: string;
}

/**
 * Typed client of the orchestrator REST API. Works in the browser (Backstage's
 * DiscoveryApi and FetchApi), in backends (a fetch that adds a service token)
 * and in the CLI (a base URL and a bearer token). Non-2xx answers throw a
 * `ResponseError` whose body is the orchestrator's error body (with the
 * `details` of invalid input) and whose message ends with its message.
 *
 * @public
 */
export class OrchestratorApiClient {
  private readonly discoveryApi: {
    getBaseUrl(pluginId: string): Promise<string>;
  };
  private readonly fetchApi: { fetch: typeof fetch };

  constructor(options: {
    discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
    fetchApi?: { fetch: typeof fetch };
  }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi ?? {
      fetch: (input, init) => fetch(input, init),
    };
  }

  /** Whether the orchestrator is up, and what it has loaded */
  async getHealth(options?: RequestOptions): Promise<GetHealthResponse> {
    return this.send('GET', `/health`, {
      token: options?.token,
    }) as Promise<GetHealthResponse>;
  }

  /** GET /env-types */
  async listEnvironmentTypes(
    options?: RequestOptions,
  ): Promise<ListEnvironmentTypesResponse> {
    return this.send('GET', `/env-types`, {
      token: options?.token,
    }) as Promise<ListEnvironmentTypesResponse>;
  }

  /** GET /env-types/{id} */
  async getEnvironmentType(
    request: {
      path: {
        id: Id;
      };
    },
    options?: RequestOptions,
  ): Promise<EnvironmentType> {
    return this.send(
      'GET',
      `/env-types/${encodeURIComponent(request.path.id)}`,
      {
        token: options?.token,
      },
    ) as Promise<EnvironmentType>;
  }

  /** PUT /env-types/{id} */
  async putEnvironmentType(
    request: {
      path: {
        id: Id;
      };
      body: PutEnvironmentTypeRequest;
    },
    options?: RequestOptions,
  ): Promise<EnvironmentType> {
    return this.send(
      'PUT',
      `/env-types/${encodeURIComponent(request.path.id)}`,
      {
        body: request.body,
        token: options?.token,
      },
    ) as Promise<EnvironmentType>;
  }

  /** DELETE /env-types/{id} */
  async deleteEnvironmentType(
    request: {
      path: {
        id: Id;
      };
    },
    options?: RequestOptions,
  ): Promise<void> {
    return this.send(
      'DELETE',
      `/env-types/${encodeURIComponent(request.path.id)}`,
      {
        token: options?.token,
      },
    ) as Promise<void>;
  }

  /** GET /apps */
  async listApps(options?: RequestOptions): Promise<ListAppsResponse> {
    return this.send('GET', `/apps`, {
      token: options?.token,
    }) as Promise<ListAppsResponse>;
  }

  /** GET /apps/{app} */
  async getApp(
    request: {
      path: {
        app: Id;
      };
    },
    options?: RequestOptions,
  ): Promise<App> {
    return this.send('GET', `/apps/${encodeURIComponent(request.path.app)}`, {
      token: options?.token,
    }) as Promise<App>;
  }

  /** PUT /apps/{app} */
  async putApp(
    request: {
      path: {
        app: Id;
      };
      body: PutAppRequest;
    },
    options?: RequestOptions,
  ): Promise<App> {
    return this.send('PUT', `/apps/${encodeURIComponent(request.path.app)}`, {
      body: request.body,
      token: options?.token,
    }) as Promise<App>;
  }

  /** Deletes the app with its environments, each torn down as DELETE of it does (active resources deprovisioned, GitOps folder and Argo CD Application removed); it needs orchestrator.environment.manage on every environment first. 204 once all are gone; 202 while some wait for their queued or running deployments or a driver failed (the backends' expiry check finishes them, and the app goes with the last). */
  async deleteApp(
    request: {
      path: {
        app: Id;
      };
    },
    options?: RequestOptions,
  ): Promise<DeleteApp202Response | void> {
    return this.send(
      'DELETE',
      `/apps/${encodeURIComponent(request.path.app)}`,
      {
        token: options?.token,
      },
    ) as Promise<DeleteApp202Response | void>;
  }

  /** GET /apps/{app}/envs */
  async listEnvironments(
    request: {
      path: {
        app: Id;
      };
    },
    options?: RequestOptions,
  ): Promise<ListEnvironmentsResponse> {
    return this.send(
      'GET',
      `/apps/${encodeURIComponent(request.path.app)}/envs`,
      {
        token: options?.token,
      },
    ) as Promise<ListEnvironmentsResponse>;
  }

  /** GET /apps/{app}/envs/{env} */
  async getEnvironment(
    request: {
      path: {
        app: Id;
        env: Id;
      };
    },
    options?: RequestOptions,
  ): Promise<Environment> {
    return this.send(
      'GET',
      `/apps/${encodeURIComponent(request.path.app)}/envs/${encodeURIComponent(
        request.path.env,
      )}`,
      {
        token: options?.token,
      },
    ) as Promise<Environment>;
  }

  /** PUT /apps/{app}/envs/{env} */
  async putEnvironment(
    request: {
      path: {
        app: Id;
        env: Id;
      };
      body: PutEnvironmentRequest;
    },
    options?: RequestOptions,
  ): Promise<Environment> {
    return this.send(
      'PUT',
      `/apps/${encodeURIComponent(request.path.app)}/envs/${encodeURIComponent(
        request.path.env,
      )}`,
      {
        body: request.body,
        token: options?.token,
      },
    ) as Promise<Environment>;
  }

  /** Tears the environment down: it refuses deployments from now on, its active resources are deprovisioned through their drivers, its GitOps folder and Argo CD Application removed, and it is deleted. 204 once done; 202 while it waits for its queued or running deployments or a driver failed (the backends' expiry check finishes it). */
  async deleteEnvironment(
    request: {
      path: {
        app: Id;
        env: Id;
      };
    },
    options?: RequestOptions,
  ): Promise<DeleteEnvironment202Response | void> {
    return this.send(
      'DELETE',
      `/apps/${encodeURIComponent(request.path.app)}/envs/${encodeURIComponent(
        request.path.env,
      )}`,
      {
        token: options?.token,
      },
    ) as Promise<DeleteEnvironment202Response | void>;
  }

  /** GET /resource-definitions */
  async listResourceDefinitions(
    options?: RequestOptions,
  ): Promise<ListResourceDefinitionsResponse> {
    return this.send('GET', `/resource-definitions`, {
      token: options?.token,
    }) as Promise<ListResourceDefinitionsResponse>;
  }

  /** GET /resource-types */
  async listResourceTypes(
    request: {
      query?: {
        /** Only the types a definition provides in environments of this type */
        envType?: string;
      };
    } = {},
    options?: RequestOptions,
  ): Promise<ListResourceTypesResponse> {
    return this.send('GET', `/resource-types`, {
      query: request.query,

      token: options?.token,
    }) as Promise<ListResourceTypesResponse>;
  }

  /** GET /drivers */
  async listDrivers(options?: RequestOptions): Promise<Array<InstalledDriver>> {
    return this.send('GET', `/drivers`, {
      token: options?.token,
    }) as Promise<Array<InstalledDriver>>;
  }

  /** GET /resource-definitions/{id} */
  async getResourceDefinition(
    request: {
      path: {
        id: string;
      };
    },
    options?: RequestOptions,
  ): Promise<ResourceDefinitionView> {
    return this.send(
      'GET',
      `/resource-definitions/${encodeURIComponent(request.path.id)}`,
      {
        token: options?.token,
      },
    ) as Promise<ResourceDefinitionView>;
  }

  /** PUT /resource-definitions/{id} */
  async putResourceDefinition(
    request: {
      path: {
        id: string;
      };
      query?: {
        /** Apply a change that re-matches or removes active resources */
        force?: 'true' | 'false';
      };
      body:
        | {
            [key: string]: unknown;
          }
        | string;
    },
    options?: RequestOptions,
  ): Promise<ResourceDefinitionView> {
    return this.send(
      'PUT',
      `/resource-definitions/${encodeURIComponent(request.path.id)}`,
      {
        query: request.query,
        body: request.body,
        token: options?.token,
      },
    ) as Promise<ResourceDefinitionView>;
  }

  /** DELETE /resource-definitions/{id} */
  async deleteResourceDefinition(
    request: {
      path: {
        id: string;
      };
      query?: {
        /** Apply a change that re-matches or removes active resources */
        force?: 'true' | 'false';
      };
    },
    options?: RequestOptions,
  ): Promise<void> {
    return this.send(
      'DELETE',
      `/resource-definitions/${encodeURIComponent(request.path.id)}`,
      {
        query: request.query,

        token: options?.token,
      },
    ) as Promise<void>;
  }

  /** GET /apps/{app}/envs/{env}/deployments */
  async listDeployments(
    request: {
      path: {
        app: Id;
        env: Id;
      };
      query?: {
        /** Page size, 1 to 1000 */
        limit?: string;
        /** The nextCursor of the previous page; any other value is a 400 */
        cursor?: string;
      };
    },
    options?: RequestOptions,
  ): Promise<ListDeploymentsResponse> {
    return this.send(
      'GET',
      `/apps/${encodeURIComponent(request.path.app)}/envs/${encodeURIComponent(
        request.path.env,
      )}/deployments`,
      {
        query: request.query,

        token: options?.token,
      },
    ) as Promise<ListDeploymentsResponse>;
  }

  /** POST /apps/{app}/envs/{env}/deployments */
  async createDeployment(
    request: {
      path: {
        app: Id;
        env: Id;
      };
      body: CreateDeploymentRequest;
    },
    options?: RequestOptions,
  ): Promise<CreateDeployment200Response | QueuedDeployment> {
    return this.send(
      'POST',
      `/apps/${encodeURIComponent(request.path.app)}/envs/${encodeURIComponent(
        request.path.env,
      )}/deployments`,
      {
        body: request.body,
        token: options?.token,
      },
    ) as Promise<CreateDeployment200Response | QueuedDeployment>;
  }

  /** GET /apps/{app}/envs/{env}/deployments/{id} */
  async getDeployment(
    request: {
      path: {
        app: Id;
        env: Id;
        id: string;
      };
      query?: {
        /** `false` leaves the per-node list and the diff out (a big deployment's are thousands of entries), so that polling its status stays cheap; `nodeCounts` still says how far it is */
        nodes?: 'true' | 'false';
      };
    },
    options?: RequestOptions,
  ): Promise<Deployment> {
    return this.send(
      'GET',
      `/apps/${encodeURIComponent(request.path.app)}/envs/${encodeURIComponent(
        request.path.env,
      )}/deployments/${encodeURIComponent(request.path.id)}`,
      {
        query: request.query,

        token: options?.token,
      },
    ) as Promise<Deployment>;
  }

  /** GET /apps/{app}/envs/{env}/deployments/{id}/log */
  async getDeploymentLog(
    request: {
      path: {
        app: Id;
        env: Id;
        id: string;
      };
      query?: {
        /** Only lines after this id */
        after?: string;
      };
    },
    options?: RequestOptions,
  ): Promise<GetDeploymentLogResponse> {
    return this.send(
      'GET',
      `/apps/${encodeURIComponent(request.path.app)}/envs/${encodeURIComponent(
        request.path.env,
      )}/deployments/${encodeURIComponent(request.path.id)}/log`,
      {
        query: request.query,

        token: options?.token,
      },
    ) as Promise<GetDeploymentLogResponse>;
  }

  /** GET /apps/{app}/envs/{env}/deployments/{id}/manifests */
  async getDeploymentManifests(
    request: {
      path: {
        app: Id;
        env: Id;
        id: string;
      };
    },
    options?: RequestOptions,
  ): Promise<GetDeploymentManifestsResponse> {
    return this.send(
      'GET',
      `/apps/${encodeURIComponent(request.path.app)}/envs/${encodeURIComponent(
        request.path.env,
      )}/deployments/${encodeURIComponent(request.path.id)}/manifests`,
      {
        token: options?.token,
      },
    ) as Promise<GetDeploymentManifestsResponse>;
  }

  /** GET /apps/{app}/envs/{env}/deployments/{id}/plan */
  async getDeploymentPlan(
    request: {
      path: {
        app: Id;
        env: Id;
        id: string;
      };
    },
    options?: RequestOptions,
  ): Promise<DeploymentPlan> {
    return this.send(
      'GET',
      `/apps/${encodeURIComponent(request.path.app)}/envs/${encodeURIComponent(
        request.path.env,
      )}/deployments/${encodeURIComponent(request.path.id)}/plan`,
      {
        token: options?.token,
      },
    ) as Promise<DeploymentPlan>;
  }

  /** Needs orchestrator.deployment.approve on the environment; never allowed to the deployment's requester (403). 409 when the deployment no longer awaits approval. */
  async approveDeployment(
    request: {
      path: {
        app: Id;
        env: Id;
        id: string;
      };
      body?: ApprovalDecision;
    },
    options?: RequestOptions,
  ): Promise<Deployment> {
    return this.send(
      'POST',
      `/apps/${encodeURIComponent(request.path.app)}/envs/${encodeURIComponent(
        request.path.env,
      )}/deployments/${encodeURIComponent(request.path.id)}/approve`,
      {
        body: request.body,
        token: options?.token,
      },
    ) as Promise<Deployment>;
  }

  /** Needs orchestrator.deployment.approve on the environment; never allowed to the deployment's requester (403). 409 when the deployment no longer awaits approval. */
  async rejectDeployment(
    request: {
      path: {
        app: Id;
        env: Id;
        id: string;
      };
      body?: ApprovalDecision;
    },
    options?: RequestOptions,
  ): Promise<Deployment> {
    return this.send(
      'POST',
      `/apps/${encodeURIComponent(request.path.app)}/envs/${encodeURIComponent(
        request.path.env,
      )}/deployments/${encodeURIComponent(request.path.id)}/reject`,
      {
        body: request.body,
        token: options?.token,
      },
    ) as Promise<Deployment>;
  }

  /** POST /apps/{app}/envs/{env}/deployments/{id}/rollback */
  async rollbackDeployment(
    request: {
      path: {
        app: Id;
        env: Id;
        id: string;
      };
      query?: {
        /** Return the plan of what the deployment would do instead of queueing it */
        dryRun?: 'true' | 'false';
      };
    },
    options?: RequestOptions,
  ): Promise<RollbackDeployment200Response | QueuedDeployment> {
    return this.send(
      'POST',
      `/apps/${encodeURIComponent(request.path.app)}/envs/${encodeURIComponent(
        request.path.env,
      )}/deployments/${encodeURIComponent(request.path.id)}/rollback`,
      {
        query: request.query,

        token: options?.token,
      },
    ) as Promise<RollbackDeployment200Response | QueuedDeployment>;
  }

  /** POST /apps/{app}/envs/{env}/promote */
  async promote(
    request: {
      path: {
        app: Id;
        env: Id;
      };
      query?: {
        /** Return the plan of what the deployment would do instead of queueing it */
        dryRun?: 'true' | 'false';
      };
      body: PromoteRequest;
    },
    options?: RequestOptions,
  ): Promise<Promote200Response | QueuedDeployment> {
    return this.send(
      'POST',
      `/apps/${encodeURIComponent(request.path.app)}/envs/${encodeURIComponent(
        request.path.env,
      )}/promote`,
      {
        query: request.query,
        body: request.body,
        token: options?.token,
      },
    ) as Promise<Promote200Response | QueuedDeployment>;
  }

  /** GET /apps/{app}/envs/{env}/graph */
  async getGraph(
    request: {
      path: {
        app: Id;
        env: Id;
      };
    },
    options?: RequestOptions,
  ): Promise<Graph> {
    return this.send(
      'GET',
      `/apps/${encodeURIComponent(request.path.app)}/envs/${encodeURIComponent(
        request.path.env,
      )}/graph`,
      {
        token: options?.token,
      },
    ) as Promise<Graph>;
  }

  /** GET /apps/{app}/envs/{env}/resources */
  async listEnvironmentResources(
    request: {
      path: {
        app: Id;
        env: Id;
      };
    },
    options?: RequestOptions,
  ): Promise<Array<ActiveResource>> {
    return this.send(
      'GET',
      `/apps/${encodeURIComponent(request.path.app)}/envs/${encodeURIComponent(
        request.path.env,
      )}/resources`,
      {
        token: options?.token,
      },
    ) as Promise<Array<ActiveResource>>;
  }

  /** DELETE /apps/{app}/envs/{env}/resources/{uid} */
  async deprovisionResource(
    request: {
      path: {
        app: Id;
        env: Id;
        uid: string;
      };
      query?: {
        /** Apply a change that re-matches or removes active resources */
        force?: 'true' | 'false';
      };
    },
    options?: RequestOptions,
  ): Promise<void> {
    return this.send(
      'DELETE',
      `/apps/${encodeURIComponent(request.path.app)}/envs/${encodeURIComponent(
        request.path.env,
      )}/resources/${encodeURIComponent(request.path.uid)}`,
      {
        query: request.query,

        token: options?.token,
      },
    ) as Promise<void>;
  }

  /** GET /deployments */
  async listAllDeployments(
    request: {
      query?: {
        /** Only deployments with this status (awaiting-approval lists what waits for approval) */
        status?: DeploymentStatus;
        /** Page size, 1 to 1000 */
        limit?: string;
        /** The nextCursor of the previous page; any other value is a 400 */
        cursor?: string;
      };
    } = {},
    options?: RequestOptions,
  ): Promise<ListAllDeploymentsResponse> {
    return this.send('GET', `/deployments`, {
      query: request.query,

      token: options?.token,
    }) as Promise<ListAllDeploymentsResponse>;
  }

  /** GET /resources */
  async listResources(
    request: {
      query?: {
        /** Only resources with this status (orphaned ones are no longer in any workload) */
        status?: 'pending' | 'active' | 'failed' | 'deleting' | 'orphaned';
        /** Only this app's resources */
        app?: string;
        /** Only resources of environments with this id (with `app`, one environment read page by page) */
        env?: string;
        /** Page size, 1 to 1000 */
        limit?: string;
        /** The nextCursor of the previous page; any other value is a 400 */
        cursor?: string;
      };
    } = {},
    options?: RequestOptions,
  ): Promise<ListResourcesResponse> {
    return this.send('GET', `/resources`, {
      query: request.query,

      token: options?.token,
    }) as Promise<ListResourcesResponse>;
  }

  /** GET /explain */
  async explain(
    request: {
      query: {
        type: string;
        class?: string;
        app: string;
        env: string;
        /** Explain for an environment of this type (the environment need not exist); the environment's own type otherwise */
        envType?: string;
        resId: string;
      };
    },
    options?: RequestOptions,
  ): Promise<ExplainResult> {
    return this.send('GET', `/explain`, {
      query: request.query,

      token: options?.token,
    }) as Promise<ExplainResult>;
  }

  /** The data of a Secret a deployment delivered, for the External Secrets Operator's webhook provider. Service credentials only. */
  async getDeliveredSecret(
    request: {
      path: {
        app: Id;
        env: Id;
        secret: string;
      };
    },
    options?: RequestOptions,
  ): Promise<GetDeliveredSecretResponse> {
    return this.send(
      'GET',
      `/secrets/${encodeURIComponent(request.path.app)}/${encodeURIComponent(
        request.path.env,
      )}/${encodeURIComponent(request.path.secret)}`,
      {
        token: options?.token,
      },
    ) as Promise<GetDeliveredSecretResponse>;
  }

  /** One key of a Secret a deployment delivered, as the External Secrets Operator's webhook provider reads it (result.jsonPath `$.value`). Service credentials only. */
  async getDeliveredSecretKey(
    request: {
      path: {
        app: Id;
        env: Id;
        secret: string;
        /** A key of the Secret's data, e.g. main.DATABASE_URL */
        key: string;
      };
    },
    options?: RequestOptions,
  ): Promise<GetDeliveredSecretKeyResponse> {
    return this.send(
      'GET',
      `/secrets/${encodeURIComponent(request.path.app)}/${encodeURIComponent(
        request.path.env,
      )}/${encodeURIComponent(request.path.secret)}/${encodeURIComponent(
        request.path.key,
      )}`,
      {
        token: options?.token,
      },
    ) as Promise<GetDeliveredSecretKeyResponse>;
  }

  /** GET /apps/{app}/envs/{env}/drift */
  async getDrift(
    request: {
      path: {
        app: Id;
        env: Id;
      };
    },
    options?: RequestOptions,
  ): Promise<DriftReport> {
    return this.send(
      'GET',
      `/apps/${encodeURIComponent(request.path.app)}/envs/${encodeURIComponent(
        request.path.env,
      )}/drift`,
      {
        token: options?.token,
      },
    ) as Promise<DriftReport>;
  }

  /** Checks the environment for drift now (and reverts it when configured to). 409 while a deployment of the environment is queued or running (its result is compared once it finishes), or while another backend on the same database delivers to a different GitOps repository. */
  async checkDrift(
    request: {
      path: {
        app: Id;
        env: Id;
      };
    },
    options?: RequestOptions,
  ): Promise<DriftReport> {
    return this.send(
      'POST',
      `/apps/${encodeURIComponent(request.path.app)}/envs/${encodeURIComponent(
        request.path.env,
      )}/drift`,
      {
        token: options?.token,
      },
    ) as Promise<DriftReport>;
  }

  /** Push notification for the Git watcher (no Backstage token needed): polls the watched repositories now, or only the one named in the body (`repository` as a URL or path, or a GitHub or GitLab push event). A GitHub `pull_request` or GitLab `Merge Request Hook` event on a watched repository opens (opened, reopened, synchronize / open, reopen, update) or tears down (closed / close, merge) its preview environment `pr-<number>` and polls the branch. With `orchestrator.gitWatch.webhookSecret` configured, a request must carry `X-Hub-Signature-256` (GitHub: HMAC-SHA256 of the body) or `X-Gitlab-Token`. */
  async gitWebhook(
    request: {
      body?: {
        [key: string]: unknown;
      };
    } = {},
    options?: RequestOptions,
  ): Promise<GitWebhookResponse> {
    return this.send('POST', `/webhooks/git`, {
      body: request.body,
      token: options?.token,
    }) as Promise<GitWebhookResponse>;
  }

  private async send(
    method: string,
    path: string,
    request: {
      query?: Record<string, string | undefined>;
      body?: unknown;
      token?: string;
    },
  ): Promise<unknown> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) query.set(name, value);
    }
    const search = query.toString();
    const baseUrl = await this.discoveryApi.getBaseUrl('orchestrator');
    const headers: Record<string, string> = {};
    const yamlText = typeof request.body === 'string';
    if (request.body !== undefined)
      headers['content-type'] = yamlText
        ? 'application/yaml'
        : 'application/json';
    if (request.token) headers.authorization = `Bearer ${request.token}`;
    const response = await this.fetchApi.fetch(
      `${baseUrl}${path}${search ? `?${search}` : ''}`,
      {
        method,
        headers,
        body:
          request.body === undefined || yamlText
            ? (request.body as string | undefined)
            : JSON.stringify(request.body),
      },
    );
    if (!response.ok) throw await responseError(response);
    return response.status === 204 ? undefined : response.json();
  }
}

// Errors the orchestrator answers itself have no `response` field, which
// ResponseError needs to keep a body: it is added so the body (and its
// `details`) reach the caller instead of a generic one.
async function responseError(response: Response): Promise<ResponseError> {
  let text = await response.text();
  try {
    const body = JSON.parse(text);
    if (body?.error && !body.response) {
      text = JSON.stringify({
        ...body,
        response: { statusCode: response.status },
      });
    }
  } catch {
    // Not JSON: ResponseError keeps the text in a generic body.
  }
  const error = await ResponseError.fromResponse({
    headers: response.headers,
    ok: response.ok,
    redirected: response.redirected,
    status: response.status,
    statusText: response.statusText,
    type: response.type,
    url: response.url,
    text: async () => text,
  });
  error.message = `${error.message}: ${error.body.error.message}`;
  return error;
}
