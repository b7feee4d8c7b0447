import { LoggerService } from '@backstage/backend-plugin-api';
import {
  Driver,
  DriverContext,
  DriverRegistry,
  resolveDriverInputs,
  resourceUid,
} from '@baton/backstage-plugin-orchestrator-node';
import { ResourceDefinition } from '@baton/backstage-plugin-orchestrator-common';
import { ActiveResourceRecord, DeploymentStore, ProvisionedWith } from '../database/DeploymentStore';
import { SecretBox } from '../secrets/SecretBox';
import { DefinitionService } from './DefinitionService';

/**
 * The driver of an active resource and the context to call its `check` or
 * `destroy` with: the definition and params it was provisioned with (the
 * current definition only for resources provisioned before those were
 * kept), its inputs resolved by the same function provisioning uses against
 * the environment's other active resources, and the driver state it kept.
 * Undefined when the definition is gone or its driver is not installed.
 *
 * @internal
 */
export class ActiveResourceDrivers {
  /** Definition snapshots by digest: a drift check reads thousands of resources made by a few definitions. */
  private readonly snapshots = new Map<string, ResourceDefinition>();

  constructor(
    private readonly deps: {
      definitions: Pick<DefinitionService, 'all'>;
      drivers: DriverRegistry;
      secrets: SecretBox;
      deploymentStore: Pick<DeploymentStore, 'getDefinitionSnapshots'>;
      logger?: LoggerService;
    },
  ) {}

  /** `environment`: the environment's active resources, by uid, for references between them. */
  async driverOf(
    resource: ActiveResourceRecord,
    envType: string,
    environment: Map<string, ActiveResourceRecord>,
  ): Promise<{ driver: Driver; context: DriverContext } | undefined> {
    const provisioned = resource.provisionedWith ? (this.deps.secrets.decrypt(resource.provisionedWith) as ProvisionedWith) : undefined;
    const definition =
      provisioned?.definition ??
      (provisioned?.definitionDigest ? await this.snapshot(provisioned.definitionDigest) : undefined) ??
      this.deps.definitions.all().find(d => d.definition.metadata.id === resource.definitionId)?.definition;
    return activeResourceDriver({ ...this.deps, resource, envType, environment, definition, params: provisioned?.params });
  }

  private async snapshot(digest: string): Promise<ResourceDefinition | undefined> {
    let definition = this.snapshots.get(digest);
    if (!definition) {
      const ciphertext = (await this.deps.deploymentStore.getDefinitionSnapshots([digest])).get(digest);
      if (!ciphertext) return undefined;
      definition = this.deps.secrets.decrypt<ResourceDefinition>(ciphertext);
      // Bounded: the oldest goes once 1,000 are kept.
      if (this.snapshots.size >= 1000) this.snapshots.delete(this.snapshots.keys().next().value!);
      this.snapshots.set(digest, definition);
    }
    return definition;
  }
}

function activeResourceDriver(options: {
  resource: ActiveResourceRecord;
  envType: string;
  environment: Map<string, ActiveResourceRecord>;
  /** The definition it was provisioned with (the current one for resources stored before those were kept). */
  definition?: ResourceDefinition;
  params?: Record<string, unknown>;
  drivers: DriverRegistry;
  secrets: SecretBox;
  logger?: LoggerService;
}): { driver: Driver; context: DriverContext } | undefined {
  const { resource: r, envType, secrets, definition } = options;
  const driver = definition && options.drivers.get(definition.spec.driver);
  if (!definition || !driver) return undefined;
  const { inputs, secrets: secretInputs } = resolveDriverInputs(
    definition,
    { app: r.appId, env: r.envId, envType, resource: r },
    ref => {
      const other = options.environment.get(resourceUid(ref.type, ref.class, ref.resId));
      return other && { outputs: other.outputs, secrets: other.secretOutputs ? secrets.decrypt(other.secretOutputs) : {} };
    },
    { verbatim: driver.verbatimInputs },
  );
  const logger = options.logger;
  return {
    driver,
    context: {
      guresid: r.guresid,
      resource: { uid: r.uid, type: r.type, class: r.class, resId: r.resId, params: options.params ?? {} },
      context: { app: { id: r.appId }, env: { id: r.envId, type: envType } },
      inputs,
      secrets: secretInputs,
      cookie: r.cookie ? secrets.decrypt(r.cookie) : undefined,
      signal: new AbortController().signal,
      logger: {
        info: m => logger?.info(m),
        warn: m => logger?.warn(m),
        error: m => logger?.error(m),
        debug: m => logger?.debug(m),
      },
    },
  };
}
