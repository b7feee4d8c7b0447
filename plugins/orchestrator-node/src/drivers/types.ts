import type { ProvisionEntry } from '@baton/backstage-plugin-orchestrator-common';

/**
 * Minimal logger a driver writes to; the backend passes a child of its
 * LoggerService, the CLI a console logger. Never log secret values.
 *
 * @public
 */
export interface DriverLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

/**
 * Where a manifest produced by a driver goes (as in Humanitec's template
 * driver): a namespaced object, a cluster object, or a fragment merged into
 * the workload's containers or volumes.
 *
 * @public
 */
export interface DriverManifest {
  location: 'namespace' | 'cluster' | 'containers' | 'volumes';
  data: Record<string, unknown>;
}

/**
 * Everything a driver is given for one resource node. `inputs` are the
 * definition's `driverInputs.values` with placeholders resolved; `secrets`
 * the resolved `driverInputs.secrets`. `cookie` is what the driver returned
 * last time for this resource (undefined on first provision), read-only: a
 * server may hand the same (frozen) value to several deployments.
 *
 * @public
 */
export interface DriverContext {
  /** Stable global id of the resource (guresid). */
  guresid: string;
  resource: {
    uid: string;
    type: string;
    class: string;
    resId: string;
    params: Record<string, unknown>;
  };
  context: { app: { id: string }; env: { id: string; type: string } };
  inputs: Record<string, unknown>;
  secrets: Record<string, unknown>;
  cookie?: unknown;
  signal: AbortSignal;
  logger: DriverLogger;
}

/** @public */
export interface DriverResult {
  outputs: Record<string, unknown>;
  /** Secret outputs: encrypted at rest, never shown, tracked through placeholders. */
  secrets: Record<string, unknown>;
  cookie?: unknown;
  manifests?: Record<string, DriverManifest>;
}

/**
 * A problem with a definition's driver inputs, found when the definition is
 * saved: `path` is relative to `spec.driverInputs` (e.g. `values.command`).
 *
 * @public
 */
export interface DriverInputProblem {
  path: string;
  message: string;
}

/** What `check` found: an empty list means no drift. @public */
export interface DriftCheckResult {
  items: { kind: string; detail: string }[];
}

/**
 * A driver provisions one kind of resource. Implementations must be
 * idempotent: provisioning twice with the same context converges.
 *
 * `pure` drivers (echo, template) have no side effects; `baton plan` runs
 * them to show outputs.
 *
 * @public
 */
export interface Driver {
  id: string;
  pure?: boolean;
  /** JSON Schema of `driverInputs.values` (draft 2020-12), checked before provisioning. */
  inputsSchema?: Record<string, unknown>;
  /**
   * Keys of `driverInputs.values` passed to the driver as written, without
   * resolving placeholders: text in a language with its own `${…}` (a
   * Terraform module) would otherwise have to escape every one as `$${…}`.
   */
  verbatimInputs?: readonly string[];
  /**
   * Checks beyond the schema, run when a definition is saved (through the
   * API or from configuration files), e.g. that an executable is one the
   * platform allows. `values` may still hold placeholders (`${...}`);
   * secrets are given by key only.
   */
  validateInputs?(values: Record<string, unknown>, secretKeys: string[]): DriverInputProblem[];
  provision(ctx: DriverContext): Promise<DriverResult>;
  check?(ctx: DriverContext): Promise<DriftCheckResult>;
  destroy?(ctx: DriverContext): Promise<void>;
}

export type { ProvisionEntry };
