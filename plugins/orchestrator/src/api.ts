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

/** Frontend client of the orchestrator REST API (`/api/orchestrator`). @public */
export interface OrchestratorApi {
  getHealth(): Promise<OrchestratorHealth>;
  /** The types the platform provides; with `envType`, those it provides in that environment type. */
  listResourceTypes(options?: { envType?: string }): Promise<ResourceTypeInfo[]>;
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

  private async get<T>(path: string): Promise<T> {
    const base = await this.deps.discoveryApi.getBaseUrl('orchestrator');
    const response = await this.deps.fetchApi.fetch(`${base}${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
