import { LoggerService } from '@backstage/backend-plugin-api';
import {
  Driver,
  DriverContext,
  DriverRegistry,
  resolveDriverInputs,
  resourceUid,
} from '@baton/backstage-plugin-orchestrator-node';
import { ActiveResourceRecord, ProvisionedWith } from '../database/DeploymentStore';
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
  constructor(
    private readonly deps: { definitions: DefinitionService; drivers: DriverRegistry; secrets: SecretBox; logger?: LoggerService },
  ) {}

  /** `environment`: the environment's active resources, by uid, for references between them. */
  driverOf(
    resource: ActiveResourceRecord,
    envType: string,
    environment: Map<string, ActiveResourceRecord>,
  ): { driver: Driver; context: DriverContext } | undefined {
    return activeResourceDriver({ ...this.deps, resource, envType, environment });
  }
}

function activeResourceDriver(options: {
  resource: ActiveResourceRecord;
  envType: string;
  environment: Map<string, ActiveResourceRecord>;
  definitions: DefinitionService;
  drivers: DriverRegistry;
  secrets: SecretBox;
  logger?: LoggerService;
}): { driver: Driver; context: DriverContext } | undefined {
  const { resource: r, envType, secrets } = options;
  const snapshot = r.provisionedWith ? (secrets.decrypt(r.provisionedWith) as ProvisionedWith) : undefined;
  const definition =
    snapshot?.definition ?? options.definitions.all().find(d => d.definition.metadata.id === r.definitionId)?.definition;
  const driver = definition && options.drivers.get(definition.spec.driver);
  if (!definition || !driver) return undefined;
  const { inputs, secrets: secretInputs } = resolveDriverInputs(
    definition,
    { app: r.appId, env: r.envId, envType, resource: r },
    ref => {
      const other = options.environment.get(resourceUid(ref.type, ref.class, ref.resId));
      return other && { outputs: other.outputs, secrets: other.secretOutputs ? secrets.decrypt(other.secretOutputs) : {} };
    },
  );
  const logger = options.logger;
  return {
    driver,
    context: {
      guresid: r.guresid,
      resource: { uid: r.uid, type: r.type, class: r.class, resId: r.resId, params: snapshot?.params ?? {} },
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
