import { BackstageCredentials, PermissionsService } from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult, BasicPermission, ResourcePermission } from '@backstage/plugin-permission-common';
import { ValidationError } from '@baton/backstage-plugin-orchestrator-common';
import { DeploymentStore } from '../database/DeploymentStore';
import { EnvironmentRecord, OrchestratorStore } from '../database/OrchestratorStore';
import { DefinitionService } from '../service/DefinitionService';
import { DeploymentService } from '../service/DeploymentService';

/** The services Baton's actions call: the same ones the REST routes call. @internal */
export interface ActionDependencies {
  permissions: PermissionsService;
  store: OrchestratorStore;
  deploymentStore: DeploymentStore;
  definitions: DefinitionService;
  deploymentService: DeploymentService;
}

/** What every action is built with. @internal */
export interface ActionContext extends ActionDependencies {
  /**
   * Throws 403 unless the caller's credentials (those the actions registry
   * passes: the user the agent acts for) hold the permission, as the REST
   * route the action mirrors asks.
   */
  authorize(credentials: BackstageCredentials, permission: BasicPermission | ResourcePermission, resourceRef?: string): Promise<void>;
  /** The environment, or 404 naming the input field that points nowhere. */
  requireEnvironment(app: string, env: string): Promise<EnvironmentRecord>;
  /**
   * Runs an action's body; a validation error becomes an input error (the
   * one kind an MCP client is shown with its message) listing every problem
   * with the field it is about, e.g. `workloads[0]: containers: required`.
   */
  run<T>(body: () => Promise<T>): Promise<T>;
}

/** @internal */
export function createActionContext(deps: ActionDependencies): ActionContext {
  return {
    ...deps,

    async authorize(credentials, permission, resourceRef) {
      const [decision] = await deps.permissions.authorize(
        [permission.type === 'resource' ? { permission, resourceRef: resourceRef! } : { permission }],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(`${permission.name} is not allowed${resourceRef ? ` on ${resourceRef}` : ''}`);
      }
    },

    async requireEnvironment(app, env) {
      const environment = await deps.store.getEnvironment(app, env);
      if (environment) return environment;
      if (!(await deps.store.getApp(app))) throw new NotFoundError(`app: there is no app ${app}`);
      throw new NotFoundError(`env: app ${app} has no environment ${env}`);
    },

    async run(body) {
      try {
        return await body();
      } catch (error) {
        if (error instanceof ValidationError) throw new InputError(error.message);
        throw error;
      }
    },
  };
}
