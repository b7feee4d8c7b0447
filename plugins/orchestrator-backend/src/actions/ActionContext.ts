import { PermissionsService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import { ValidationError } from '@baton/backstage-plugin-orchestrator-common';
import { DeploymentStore } from '../database/DeploymentStore';
import { EnvironmentRecord, OrchestratorStore } from '../database/OrchestratorStore';
import { cachedPermissionCheck, DecisionCache, PermissionCheck } from '../service/DecisionCache';
import { DefinitionService } from '../service/DefinitionService';
import { DeploymentService } from '../service/DeploymentService';

/** The services Baton's actions call: the same ones the REST routes call. @internal */
export interface ActionDependencies {
  permissions: PermissionsService;
  /** The REST routes' permission decisions, reused for the same moment. */
  decisions: DecisionCache;
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
   * route the action mirrors asks, reusing the routes' recent decisions.
   */
  authorize: PermissionCheck;
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

    authorize: cachedPermissionCheck(deps.permissions, deps.decisions),

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
