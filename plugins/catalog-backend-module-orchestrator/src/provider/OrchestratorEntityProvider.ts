import {
  AuthService,
  DiscoveryService,
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import {
  DeferredEntity,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { EventsService } from '@backstage/plugin-events-node';
import { randomUUID } from 'node:crypto';
import {
  DeploymentEvent,
  ORCHESTRATOR_EVENTS_TOPIC,
  ORCHESTRATOR_RESOURCE_EVENTS_TOPIC,
  OrchestratorApiClient,
  ResourceEvent,
} from '@baton/backstage-plugin-orchestrator-common';
import {
  ActiveResourceSummary,
  AppInCatalog,
  appsFromEntities,
  resourceToEntity,
} from './resourceToEntity';

const PROVIDER_NAME = 'baton-orchestrator';
/** Resources read per request. */
const RESOURCE_PAGE = 250;

/**
 * Emits one catalog `Resource` entity per resource the orchestrator has
 * provisioned (orphaned ones excluded), read through its REST API with the
 * catalog's service credentials: a full mutation on a schedule and a delta
 * for an environment when one of its deployments finishes.
 *
 * @public
 */
export class OrchestratorEntityProvider implements EntityProvider {
  #connection?: EntityProviderConnection;
  /** Entity names last emitted per `<app>/<env>`, for deltas. */
  readonly #emitted = new Map<string, Set<string>>();
  readonly #client: OrchestratorApiClient;

  constructor(
    private readonly options: {
      auth: AuthService;
      discovery: DiscoveryService;
      catalog: CatalogService;
      logger: LoggerService;
      taskRunner: SchedulerServiceTaskRunner;
      events?: EventsService;
      defaultOwner?: string;
      entityPageBaseUrl?: string;
      /**
       * Re-reads after a deployment while the app's entity is missing: a new
       * service's entity is usually registered seconds later. Default 4
       * times, 2, 4, 8 and 16 s after it (`retryDelayMs` doubling).
       */
      retries?: number;
      retryDelayMs?: number;
    },
  ) {
    this.#client = new OrchestratorApiClient({ discoveryApi: options.discovery });
  }

  /** {@inheritdoc @backstage/plugin-catalog-node#EntityProvider.getProviderName} */
  getProviderName() {
    return PROVIDER_NAME;
  }

  /** {@inheritdoc @backstage/plugin-catalog-node#EntityProvider.connect} */
  async connect(connection: EntityProviderConnection) {
    this.#connection = connection;
    const id = `${PROVIDER_NAME}:refresh`;
    await this.options.taskRunner.run({
      id,
      fn: async () => {
        const logger = this.options.logger.child({ taskId: id, taskInstanceId: randomUUID() });
        try {
          const count = await this.refresh();
          logger.info(`Emitted ${count} Resource entities`);
        } catch (error) {
          logger.error(`${PROVIDER_NAME} refresh failed`, error as Error);
        }
      },
    });
    await this.options.events?.subscribe({
      id: PROVIDER_NAME,
      topics: [ORCHESTRATOR_EVENTS_TOPIC, ORCHESTRATOR_RESOURCE_EVENTS_TOPIC],
      onEvent: async ({ eventPayload }) => {
        const event = eventPayload as Partial<DeploymentEvent | ResourceEvent>;
        // A finished deployment changes its environment's resources at once;
        // deprovisioning changes one, outside any deployment.
        if (event.type !== 'deployment.finished' && event.type !== 'resource.deprovisioned') return;
        if (!event.app || !event.env) return;
        try {
          await this.refreshEnvironment(event.app, event.env);
        } catch (error) {
          this.options.logger.error(`${PROVIDER_NAME} could not update ${event.app}/${event.env}`, error as Error);
        }
      },
    });
  }

  /** Replaces every entity this provider emitted with the current resources. */
  async refresh(): Promise<number> {
    const connection = this.requireConnection();
    const [apps, location] = await Promise.all([this.appsInCatalog(), this.location()]);
    this.#emitted.clear();
    const entities: DeferredEntity[] = [];
    await this.forEachResourcePage({}, page => entities.push(...this.toDeferred(page, apps, location)));
    await connection.applyMutation({ type: 'full', entities });
    return entities.length;
  }

  /**
   * Upserts one environment's resources and removes the ones it no longer
   * has. When the app's own entity is not in the catalog yet (a template
   * registered it a moment ago), the environment is read again a little
   * later so owner, system and dependencyOf follow.
   */
  async refreshEnvironment(app: string, env: string, attempt = 0): Promise<void> {
    const connection = this.requireConnection();
    const [apps, location] = await Promise.all([this.appsInCatalog(), this.location()]);
    const key = `${app}/${env}`;
    const before = this.#emitted.get(key) ?? new Set<string>();
    this.#emitted.delete(key);
    // Page by page: an environment may hold tens of thousands of resources.
    const added: DeferredEntity[] = [];
    await this.forEachResourcePage({ app, env }, page => added.push(...this.toDeferred(page, apps, location)));
    const now = this.#emitted.get(key) ?? new Set<string>();
    const removed = [...before]
      .filter(name => !now.has(name))
      .map(name => ({ entityRef: `resource:default/${name}`, locationKey: PROVIDER_NAME }));
    await connection.applyMutation({ type: 'delta', added, removed });
    if (!apps.has(app) && attempt < (this.options.retries ?? 4)) {
      setTimeout(() => {
        this.refreshEnvironment(app, env, attempt + 1).catch(error =>
          this.options.logger.warn(`${PROVIDER_NAME} could not update ${app}/${env}: ${error}`),
        );
      }, (this.options.retryDelayMs ?? 2_000) * 2 ** attempt).unref();
    }
  }

  private toDeferred(resources: ActiveResourceSummary[], apps: Map<string, AppInCatalog>, location: string): DeferredEntity[] {
    const entities: DeferredEntity[] = [];
    for (const resource of resources) {
      if (resource.status === 'orphaned' || resource.type === 'workload') continue;
      const entity = resourceToEntity(resource, {
        location,
        app: apps.get(resource.app),
        defaultOwner: this.options.defaultOwner ?? 'unknown',
        entityPageBaseUrl: this.options.entityPageBaseUrl,
      });
      const key = `${resource.app}/${resource.env}`;
      let names = this.#emitted.get(key);
      if (!names) this.#emitted.set(key, (names = new Set()));
      names.add(entity.metadata.name);
      entities.push({ entity, locationKey: PROVIDER_NAME });
    }
    return entities;
  }

  private requireConnection(): EntityProviderConnection {
    if (!this.#connection) throw new Error(`${PROVIDER_NAME} is not connected`);
    return this.#connection;
  }

  private async location() {
    return `url:${await this.options.discovery.getBaseUrl('orchestrator')}/resources`;
  }

  private async appsInCatalog(): Promise<Map<string, AppInCatalog>> {
    const { items } = await this.options.catalog.getEntities(
      {
        filter: { kind: ['Component', 'System'], 'metadata.annotations.baton.dev/app': CATALOG_FILTER_EXISTS },
        fields: ['kind', 'metadata.name', 'metadata.namespace', 'metadata.annotations', 'spec.owner', 'spec.system'],
      },
      { credentials: await this.options.auth.getOwnServiceCredentials() },
    );
    return appsFromEntities(items);
  }

  /** The catalog's own service token for the orchestrator. */
  private async serviceToken(): Promise<string> {
    const { auth } = this.options;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'orchestrator',
    });
    return token;
  }

  private async forEachResourcePage(filter: { app?: string; env?: string }, onPage: (items: ActiveResourceSummary[]) => void) {
    let cursor: string | undefined;
    do {
      // Pages of a few hundred: each is read, sent and converted in one step on both sides,
      // and the backend keeps serving while the catalog reads tens of thousands.
      const page = await this.#client.listResources({ query: { ...filter, limit: String(RESOURCE_PAGE), cursor } }, { token: await this.serviceToken() });
      onPage(page.items);
      cursor = page.nextCursor;
    } while (cursor);
  }
}
