import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ActiveResource,
  GetHealthResponse,
  Graph,
  OrchestratorApiClient,
  ResourceType,
} from '@baton/backstage-plugin-orchestrator-common';

/**
 * What the frontend reads from the orchestrator REST API (`/api/orchestrator`);
 * the shapes are the models generated from its OpenAPI document.
 *
 * @public
 */
export interface OrchestratorApi {
  getHealth(): Promise<GetHealthResponse>;
  /** The types the platform provides; with `envType`, those it provides in that environment type. */
  listResourceTypes(options?: { envType?: string }): Promise<ResourceType[]>;
  /** The environment ids of an app. */
  listEnvironments(app: string): Promise<string[]>;
  /** The graph of the last successful deployment; undefined before the first one. */
  getGraph(app: string, env: string): Promise<Graph | undefined>;
  listResources(app: string, env: string): Promise<ActiveResource[]>;
}

/** @public */
export const orchestratorApiRef = createApiRef<OrchestratorApi>({
  id: 'plugin.orchestrator.client',
});

/** Talks to the orchestrator backend with the signed-in user's token, through the generated client. @public */
export class OrchestratorClient implements OrchestratorApi {
  private readonly client: OrchestratorApiClient;

  constructor(deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.client = new OrchestratorApiClient(deps);
  }

  async getHealth(): Promise<GetHealthResponse> {
    return this.client.getHealth();
  }

  async listResourceTypes(options: { envType?: string } = {}): Promise<ResourceType[]> {
    return (await this.client.listResourceTypes({ query: options })).items;
  }

  async listEnvironments(app: string): Promise<string[]> {
    const { items } = await this.client.listEnvironments({ path: { app } });
    return items.map(e => e.id);
  }

  async getGraph(app: string, env: string): Promise<Graph | undefined> {
    try {
      return await this.client.getGraph({ path: { app, env } });
    } catch (error) {
      if (error instanceof ResponseError && error.response.status === 404) return undefined;
      throw error;
    }
  }

  async listResources(app: string, env: string): Promise<ActiveResource[]> {
    return this.client.listEnvironmentResources({ path: { app, env } });
  }
}
