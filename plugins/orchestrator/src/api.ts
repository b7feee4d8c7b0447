import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ActiveResource,
  Deployment,
  DeploymentLogLine,
  DeploymentPlan,
  DriftReport,
  Environment,
  GetHealthResponse,
  Graph,
  ListDeploymentsResponse,
  OrchestratorApiClient,
  QueuedDeployment,
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
  /** The environments of an app. */
  listEnvironments(app: string): Promise<Environment[]>;
  /** The graph of the last successful deployment; undefined before the first one. */
  getGraph(app: string, env: string): Promise<Graph | undefined>;
  listResources(app: string, env: string): Promise<ActiveResource[]>;
  /** A page of an environment's deployments, newest first. */
  listDeployments(app: string, env: string, page?: { limit?: number; cursor?: string }): Promise<ListDeploymentsResponse>;
  /** A deployment with its per-node status and the graph diff against the previous one. */
  getDeployment(app: string, env: string, id: string): Promise<Deployment>;
  /** The deployment's log lines, only those after line id `after` when given. */
  getDeploymentLog(app: string, env: string, id: string, after?: number): Promise<DeploymentLogLine[]>;
  /** The manifests a deployment delivered by file name; undefined when it delivered none. */
  getDeploymentManifests(app: string, env: string, id: string): Promise<Record<string, string> | undefined>;
  /** What deploying that deployment's set again would do. */
  planRollback(app: string, env: string, id: string): Promise<DeploymentPlan>;
  /** Queues a deployment of that deployment's set. */
  rollback(app: string, env: string, id: string): Promise<QueuedDeployment>;
  /** What deploying environment `from`'s last successful set into `env` would do. */
  planPromotion(app: string, env: string, from: string): Promise<DeploymentPlan>;
  promote(app: string, env: string, from: string): Promise<QueuedDeployment>;
  /** The last drift check; undefined when the environment was never checked. */
  getDrift(app: string, env: string): Promise<DriftReport | undefined>;
  deprovisionResource(app: string, env: string, uid: string): Promise<void>;
}

/** Undefined for a 404, which several reads use for "nothing yet". */
async function orUndefinedWhenMissing<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof ResponseError && error.response.status === 404) return undefined;
    throw error;
  }
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

  async listEnvironments(app: string): Promise<Environment[]> {
    return (await this.client.listEnvironments({ path: { app } })).items;
  }

  async getGraph(app: string, env: string): Promise<Graph | undefined> {
    return orUndefinedWhenMissing(this.client.getGraph({ path: { app, env } }));
  }

  async listResources(app: string, env: string): Promise<ActiveResource[]> {
    return this.client.listEnvironmentResources({ path: { app, env } });
  }

  async listDeployments(app: string, env: string, page: { limit?: number; cursor?: string } = {}) {
    return this.client.listDeployments({
      path: { app, env },
      query: { limit: page.limit === undefined ? undefined : String(page.limit), cursor: page.cursor },
    });
  }

  async getDeployment(app: string, env: string, id: string): Promise<Deployment> {
    return this.client.getDeployment({ path: { app, env, id } });
  }

  async getDeploymentLog(app: string, env: string, id: string, after?: number): Promise<DeploymentLogLine[]> {
    const query = after === undefined ? undefined : { after: String(after) };
    return (await this.client.getDeploymentLog({ path: { app, env, id }, query })).lines;
  }

  async getDeploymentManifests(app: string, env: string, id: string) {
    return (await orUndefinedWhenMissing(this.client.getDeploymentManifests({ path: { app, env, id } })))?.files;
  }

  async planRollback(app: string, env: string, id: string): Promise<DeploymentPlan> {
    const answer = await this.client.rollbackDeployment({ path: { app, env, id }, query: { dryRun: 'true' } });
    return (answer as { plan: DeploymentPlan }).plan;
  }

  async rollback(app: string, env: string, id: string): Promise<QueuedDeployment> {
    return (await this.client.rollbackDeployment({ path: { app, env, id } })) as QueuedDeployment;
  }

  async planPromotion(app: string, env: string, from: string): Promise<DeploymentPlan> {
    const answer = await this.client.promote({ path: { app, env }, query: { dryRun: 'true' }, body: { from } });
    return (answer as { plan: DeploymentPlan }).plan;
  }

  async promote(app: string, env: string, from: string): Promise<QueuedDeployment> {
    return (await this.client.promote({ path: { app, env }, body: { from } })) as QueuedDeployment;
  }

  async getDrift(app: string, env: string): Promise<DriftReport | undefined> {
    return orUndefinedWhenMissing(this.client.getDrift({ path: { app, env } }));
  }

  async deprovisionResource(app: string, env: string, uid: string): Promise<void> {
    await this.client.deprovisionResource({ path: { app, env, uid } });
  }
}
