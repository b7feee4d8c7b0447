import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';

/** What the orchestrator backend reports about itself. @public */
export interface OrchestratorHealth {
  status: string;
}

/** A resource type the platform provides, as `GET /resource-types` lists it. @public */
export interface ResourceTypeInfo {
  type: string;
  classes: string[];
  definitions: string[];
  description?: string;
}

/** One node of an environment's resource graph (`GET …/graph`). @public */
export interface GraphNodeInfo {
  uid: string;
  resId: string;
  type: string;
  class: string;
  definition: string;
  dependsOn: string[];
}

/** An environment's resource graph, as of its last successful deployment. @public */
export interface EnvironmentGraph {
  deploymentId: string;
  nodes: GraphNodeInfo[];
}

/** An active resource; secret outputs only as their names. @public */
export interface ActiveResourceInfo {
  app: string;
  env: string;
  uid: string;
  resId: string;
  type: string;
  class: string;
  definition: string;
  status: string;
  outputs: Record<string, unknown>;
  secretOutputs: string[];
  workloads: string[];
}

/** Frontend client of the orchestrator REST API (`/api/orchestrator`). @public */
export interface OrchestratorApi {
  getHealth(): Promise<OrchestratorHealth>;
  /** The types the platform provides; with `envType`, those it provides in that environment type. */
  listResourceTypes(options?: { envType?: string }): Promise<ResourceTypeInfo[]>;
  /** The environment ids of an app. */
  listEnvironments(app: string): Promise<string[]>;
  /** The graph of the last successful deployment; undefined before the first one. */
  getGraph(app: string, env: string): Promise<EnvironmentGraph | undefined>;
  listResources(app: string, env: string): Promise<ActiveResourceInfo[]>;
}

/** @public */
export const orchestratorApiRef = createApiRef<OrchestratorApi>({
  id: 'plugin.orchestrator.client',
});

/** Talks to the orchestrator backend with the signed-in user's token. @public */
export class OrchestratorClient implements OrchestratorApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  async getHealth(): Promise<OrchestratorHealth> {
    return this.get('/health');
  }

  async listResourceTypes(options: { envType?: string } = {}): Promise<ResourceTypeInfo[]> {
    const query = options.envType ? `?envType=${encodeURIComponent(options.envType)}` : '';
    return (await this.get<{ items: ResourceTypeInfo[] }>(`/resource-types${query}`)).items;
  }

  async listEnvironments(app: string): Promise<string[]> {
    const { items } = await this.get<{ items: { id: string }[] }>(`/apps/${encodeURIComponent(app)}/envs`);
    return items.map(e => e.id);
  }

  async getGraph(app: string, env: string): Promise<EnvironmentGraph | undefined> {
    return this.get<EnvironmentGraph | undefined>(`/apps/${encodeURIComponent(app)}/envs/${encodeURIComponent(env)}/graph`, {
      notFound: undefined,
    });
  }

  async listResources(app: string, env: string): Promise<ActiveResourceInfo[]> {
    return this.get<ActiveResourceInfo[]>(`/apps/${encodeURIComponent(app)}/envs/${encodeURIComponent(env)}/resources`);
  }

  private async get<T>(path: string, options?: { notFound: T }): Promise<T> {
    const base = await this.deps.discoveryApi.getBaseUrl('orchestrator');
    const response = await this.deps.fetchApi.fetch(`${base}${path}`);
    if (response.status === 404 && options && 'notFound' in options) {
      return options.notFound;
    }
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
