/**
 * Signals the orchestrator sends to open pages through Backstage's signals
 * service when a deployment, resource or environment changes, so the pages
 * read again instead of polling. A signal says what changed, never a value.
 */

/** The channel of every app's signals: the platform pages listen to it. @public */
export const ORCHESTRATOR_SIGNAL_PLATFORM_CHANNEL = 'orchestrator:platform';

/** The channel of one app's signals, `orchestrator:<app>`. @public */
export function orchestratorSignalChannel(app: string): string {
  return `orchestrator:${app}`;
}

/**
 * One signal: the event's type (`deployment.finished`, `resource.provisioned`,
 * `environment.drift-found`…), the app and environment, and what else the
 * event names.
 *
 * @public
 */
export type OrchestratorSignal = {
  type: string;
  app: string;
  env: string;
  deploymentId?: string;
  /** The deployment's status, for deployment events. */
  status?: string;
  /** How many resources a resource event concerns. */
  resources?: number;
};
