import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { ActionDependencies, createActionContext } from './ActionContext';
import { registerDeploymentActions } from './deploymentActions';
import { registerReadingActions } from './readingActions';

/**
 * Registers Baton's operations in Backstage's actions registry, where the
 * MCP actions plugin offers them to agents as tools: plan, deploy, promote,
 * rollback, explain, list-deployments and get-deployment-log. Each calls the
 * services its REST route calls, under the same permission, with the
 * credentials of whoever the agent acts for.
 *
 * @internal
 */
export function registerOrchestratorActions(registry: ActionsRegistryService, deps: ActionDependencies): void {
  const context = createActionContext(deps);
  registerDeploymentActions(registry, context);
  registerReadingActions(registry, context);
}
