import {
  AuthService,
  DiscoveryService,
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
} from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  DeferredEntity,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { randomUUID } from 'node:crypto';

/**
 * An active resource as the orchestrator's `GET /resources` lists it.
 * Outputs carry no secrets: the API never returns secret values.
 *
 * @public
 */
export interface ActiveResourceSummary {
  app: string;
  env: string;
  envType?: string;
  uid: string;
  resId: string;
  type: string;
  class: string;
  guresid: string;
  definition: string;
  status: string;
  outputs?: Record<string, unknown>;
}

const PROVIDER_NAME = 'baton-orchestrator';

/**
 * Turns an orchestrator id into a valid catalog entity name: lowercase,
 * invalid characters mapped to `-`, at most 63 characters, alphanumeric at
 * both ends.
 *
 * @public
 */
export function toEntityName(raw: string): string {
  const name = raw
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/[-_.]{2,}/g, '-')
    .slice(0, 63)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return name || 'resource';
}

/**
 * Maps one active resource to a catalog `Resource` entity. The name is derived
 * from app, environment and resource id so it stays stable across deployments.
 *
 * @public
 */
export function resourceToEntity(
  resource: ActiveResourceSummary,
  location: string,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: toEntityName(`${resource.app}-${resource.env}-${resource.resId}`),
      title: `${resource.type} ${resource.resId} (${resource.app}/${resource.env})`,
      annotations: {
        [ANNOTATION_LOCATION]: location,
        [ANNOTATION_ORIGIN_LOCATION]: location,
        'baton.dev/app': resource.app,
        'baton.dev/env': resource.env,
        ...(resource.envType ? { 'baton.dev/env-type': resource.envType } : {}),
        'baton.dev/guresid': resource.guresid,
        'baton.dev/res-id': resource.resId,
        'baton.dev/definition': resource.definition,
        'baton.dev/status': resource.status,
      },
    },
    spec: {
      type: resource.type,
      owner: 'unknown',
    },
  };
}

/**
 * Emits one catalog `Resource` entity per resource the orchestrator has
 * provisioned, read through its REST API with the catalog's service
 * credentials.
 *
 * @public
 */
export class OrchestratorEntityProvider implements EntityProvider {
  #connection?: EntityProviderConnection;

  constructor(
    private readonly options: {
      auth: AuthService;
      discovery: DiscoveryService;
      logger: LoggerService;
      taskRunner: SchedulerServiceTaskRunner;
    },
  ) {}

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
        const logger = this.options.logger.child({
          taskId: id,
          taskInstanceId: randomUUID(),
        });
        try {
          await this.refresh();
        } catch (error) {
          logger.error(`${PROVIDER_NAME} refresh failed`, error as Error);
        }
      },
    });
  }

  /** Replaces every entity this provider emitted with the current resources. */
  async refresh(): Promise<void> {
    if (!this.#connection) {
      throw new Error(`${PROVIDER_NAME} is not connected`);
    }
    const resources = await this.listResources();
    const location = `url:${await this.options.discovery.getBaseUrl(
      'orchestrator',
    )}/resources`;
    const entities: DeferredEntity[] = resources.map(resource => ({
      entity: resourceToEntity(resource, location),
      locationKey: PROVIDER_NAME,
    }));
    await this.#connection.applyMutation({ type: 'full', entities });
  }

  private async listResources(): Promise<ActiveResourceSummary[]> {
    const { auth, discovery } = this.options;
    const baseUrl = await discovery.getBaseUrl('orchestrator');
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'orchestrator',
    });
    const items: ActiveResourceSummary[] = [];
    let cursor: string | undefined;
    do {
      const url = new URL(`${baseUrl}/resources`);
      url.searchParams.set('limit', '500');
      if (cursor) url.searchParams.set('cursor', cursor);
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (!response.ok) {
        throw await ResponseError.fromResponse(response);
      }
      const page = (await response.json()) as {
        items: ActiveResourceSummary[];
        nextCursor?: string | null;
      };
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return items;
  }
}
