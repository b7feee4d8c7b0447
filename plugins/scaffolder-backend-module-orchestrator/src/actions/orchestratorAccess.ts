import { AuthService, BackstageCredentials } from '@backstage/backend-plugin-api';
import { OrchestratorApiClient, RequestOptions } from '@baton/backstage-plugin-orchestrator-common';

/**
 * What the orchestrator actions reach the REST API with: the generated client
 * and the auth service that gives them a token for the template's user.
 *
 * @public
 */
export interface OrchestratorAccess {
  client: OrchestratorApiClient;
  auth: AuthService;
}

/**
 * Request options that call the orchestrator on behalf of the user running
 * the template, so its permission policy sees who deploys.
 */
export async function onBehalfOf(access: OrchestratorAccess, credentials: BackstageCredentials): Promise<RequestOptions> {
  const { token } = await access.auth.getPluginRequestToken({
    onBehalfOf: credentials,
    targetPluginId: 'orchestrator',
  });
  return { token };
}
