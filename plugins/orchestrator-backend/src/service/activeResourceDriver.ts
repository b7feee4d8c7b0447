import { LoggerService } from '@backstage/backend-plugin-api';
import {
  definitionLookup,
  Driver,
  DriverContext,
  DriverRegistry,
  substituteValue,
} from '@baton/backstage-plugin-orchestrator-node';
import { ActiveResourceRecord } from '../database/DeploymentStore';
import { SecretBox } from '../secrets/SecretBox';
import { DefinitionService } from './DefinitionService';

/**
 * The driver of an active resource and the context to call its `check` or
 * `destroy` with: the definition's inputs resolved against the outputs of the
 * environment's other active resources, and the driver state it kept.
 * Undefined when the definition is gone or its driver is not installed.
 *
 * @internal
 */
export function activeResourceDriver(options: {
  resource: ActiveResourceRecord;
  envType: string;
  /** The environment's active resources, by uid, for references between them. */
  environment: Map<string, ActiveResourceRecord>;
  definitions: DefinitionService;
  drivers: DriverRegistry;
  secrets: SecretBox;
  logger?: LoggerService;
}): { driver: Driver; context: DriverContext } | undefined {
  const { resource: r, envType, secrets } = options;
  const loaded = options.definitions.all().find(d => d.definition.metadata.id === r.definitionId);
  const driver = loaded && options.drivers.get(loaded.definition.spec.driver);
  if (!loaded || !driver) return undefined;
  const lookup = definitionLookup({
    context: {
      app: { id: r.appId },
      env: { id: r.envId, type: envType },
      res: { id: r.resId, guresid: r.guresid, type: r.type, class: r.class },
    },
    outputsOf: ref => {
      const other = options.environment.get(`${ref.type}.${ref.class}#${ref.resId}`);
      return other && { outputs: other.outputs, secrets: other.secretOutputs ? secrets.decrypt(other.secretOutputs) : {} };
    },
  });
  const inputs = loaded.definition.spec.driverInputs ?? {};
  const logger = options.logger;
  return {
    driver,
    context: {
      guresid: r.guresid,
      resource: { uid: r.uid, type: r.type, class: r.class, resId: r.resId, params: {} },
      context: { app: { id: r.appId }, env: { id: r.envId, type: envType } },
      inputs: substituteValue(inputs.values ?? {}, lookup).value as Record<string, unknown>,
      secrets: substituteValue(inputs.secrets ?? {}, lookup).value as Record<string, unknown>,
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
