import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ActiveResource,
  App,
  Deployment,
  DeploymentLogLine,
  DeploymentPlan,
  DriftReport,
  Environment,
  EnvironmentType,
  ExplainResult,
  GetHealthResponse,
  Graph,
  InstalledDriver,
  ListDeploymentsResponse,
  OrchestratorApiClient,
  QueuedDeployment,
  ResourceDefinitionView,
  ResourceType,
} from '@baton/backstage-plugin-orchestrator-common';

/** The status of an active resource; orphaned ones are no longer in any workload. @public */
export type ResourceStatus = 'pending' | 'active' | 'failed' | 'deleting' | 'orphaned';

/** What `explain` asks: which definition a resource gets in an app's environment. @public */
export type ExplainQuery = {
  type: string;
  class?: string;
  app: string;
  env: string;
  /** Explain for an environment of this type; the environment's own type otherwise. */
  envType?: string;
  resId: string;
};

/**
 * What the frontend reads from the orchestrator REST API (`/api/orchestrator`);
 * the shapes are the models generated from its OpenAPI document.
 *
 * @public
 */
/** What a deployment awaiting approval would deliver, by file name, and the nodes whose outputs only provisioning tells. */
export type ProposedManifests = { files: Record<string, string>; knownAfterProvisioning: string[] };

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
  /**
   * The manifests a deployment awaiting approval would deliver, rendered when it was requested, and the
   * nodes whose outputs only provisioning tells; undefined when none were kept or it has delivered.
   */
  getProposedManifests(app: string, env: string, id: string): Promise<ProposedManifests | undefined>;
  /** What a deployment planned, node by node; undefined when it stopped before delivering. */
  getDeploymentPlan(app: string, env: string, id: string): Promise<DeploymentPlan | undefined>;
  /** What deploying that deployment's set again would do. */
  planRollback(app: string, env: string, id: string): Promise<DeploymentPlan>;
  /** Queues a deployment of that deployment's set. */
  rollback(app: string, env: string, id: string): Promise<QueuedDeployment>;
  /** What deploying environment `from`'s last successful set into `env` would do. */
  planPromotion(app: string, env: string, from: string): Promise<DeploymentPlan>;
  promote(app: string, env: string, from: string): Promise<QueuedDeployment>;
  /** Approves a deployment awaiting approval (it is queued and runs) or rejects it (it never runs). */
  decideDeployment(app: string, env: string, id: string, decision: 'approve' | 'reject', comment?: string): Promise<Deployment>;
  /** The last drift check; undefined when the environment was never checked. */
  getDrift(app: string, env: string): Promise<DriftReport | undefined>;

  listDefinitions(): Promise<ResourceDefinitionView[]>;
  /** The installed drivers, with the schemas of their inputs (`spec.driverInputs.values`). */
  listDrivers(): Promise<InstalledDriver[]>;
  getDefinition(id: string): Promise<ResourceDefinitionView>;
  /**
   * Creates or replaces a definition from its YAML. A change that would
   * re-match active resources is refused (409, with `impacts` in the error
   * body) unless `force` is set.
   */
  putDefinition(id: string, yaml: string, options?: { force?: boolean }): Promise<ResourceDefinitionView>;
  /** Active resources of every app, all pages. */
  listAllResources(options?: { status?: ResourceStatus }): Promise<ActiveResource[]>;
  explain(query: ExplainQuery): Promise<ExplainResult>;
  listEnvironmentTypes(): Promise<EnvironmentType[]>;
  listApps(): Promise<App[]>;
  /** Creates an environment, as a copy of `cloneFrom` when given. */
  createEnvironment(app: string, env: string, options: { type: string; cloneFrom?: string }): Promise<Environment>;
  deleteEnvironment(app: string, env: string): Promise<void>;
  /** Sets an environment's time to live from now (extends it), or removes it (`null`). */
  setEnvironmentTtl(app: string, env: string, options: { type: string; ttl: string | null }): Promise<Environment>;
  /** Deployments of every app, newest first. */
  listAllDeployments(options?: { status?: Deployment['status']; limit?: number }): Promise<Deployment[]>;
  /** Removes an orphaned resource and what its driver provisioned. */
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
    const manifests = await orUndefinedWhenMissing(this.client.getDeploymentManifests({ path: { app, env, id } }));
    return manifests && !manifests.proposed ? manifests.files : undefined;
  }

  async getProposedManifests(app: string, env: string, id: string) {
    const manifests = await orUndefinedWhenMissing(this.client.getDeploymentManifests({ path: { app, env, id } }));
    return manifests?.proposed ? { files: manifests.files, knownAfterProvisioning: manifests.knownAfterProvisioning ?? [] } : undefined;
  }

  async getDeploymentPlan(app: string, env: string, id: string) {
    return orUndefinedWhenMissing(this.client.getDeploymentPlan({ path: { app, env, id } }));
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

  async decideDeployment(app: string, env: string, id: string, decision: 'approve' | 'reject', comment?: string): Promise<Deployment> {
    const request = { path: { app, env, id }, body: { comment: comment || undefined } };
    return decision === 'approve' ? this.client.approveDeployment(request) : this.client.rejectDeployment(request);
  }

  async getDrift(app: string, env: string): Promise<DriftReport | undefined> {
    return orUndefinedWhenMissing(this.client.getDrift({ path: { app, env } }));
  }

  async listDefinitions(): Promise<ResourceDefinitionView[]> {
    return (await this.client.listResourceDefinitions()).items;
  }

  async listDrivers(): Promise<InstalledDriver[]> {
    return this.client.listDrivers();
  }

  async getDefinition(id: string): Promise<ResourceDefinitionView> {
    return this.client.getResourceDefinition({ path: { id } });
  }

  async putDefinition(id: string, yaml: string, options: { force?: boolean } = {}): Promise<ResourceDefinitionView> {
    return this.client.putResourceDefinition({
      path: { id },
      query: options.force ? { force: 'true' } : undefined,
      body: yaml,
    });
  }

  async listAllResources(options: { status?: ResourceStatus } = {}): Promise<ActiveResource[]> {
    const items: ActiveResource[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.client.listResources({ query: { status: options.status, limit: '1000', cursor } });
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  async explain(query: ExplainQuery): Promise<ExplainResult> {
    return this.client.explain({ query });
  }

  async listEnvironmentTypes(): Promise<EnvironmentType[]> {
    return (await this.client.listEnvironmentTypes()).items;
  }

  async listApps(): Promise<App[]> {
    return (await this.client.listApps()).items;
  }

  async createEnvironment(
    app: string,
    env: string,
    options: { type: string; cloneFrom?: string },
  ): Promise<Environment> {
    return this.client.putEnvironment({ path: { app, env }, body: options });
  }

  async deleteEnvironment(app: string, env: string): Promise<void> {
    await this.client.deleteEnvironment({ path: { app, env } });
  }

  async setEnvironmentTtl(app: string, env: string, options: { type: string; ttl: string | null }): Promise<Environment> {
    return this.client.putEnvironment({ path: { app, env }, body: options });
  }

  async listAllDeployments(options: { status?: Deployment['status']; limit?: number } = {}): Promise<Deployment[]> {
    const page = await this.client.listAllDeployments({
      query: { status: options.status, limit: options.limit ? String(options.limit) : undefined },
    });
    return page.items;
  }

  async deprovisionResource(app: string, env: string, uid: string): Promise<void> {
    await this.client.deprovisionResource({ path: { app, env, uid } });
  }
}
