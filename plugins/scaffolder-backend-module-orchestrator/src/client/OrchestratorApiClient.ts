import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';

/**
 * Calls the orchestrator's REST API on behalf of the user running a template,
 * so the orchestrator's permission policy sees who deploys.
 *
 * @internal
 */
export class OrchestratorApiClient {
  constructor(
    private readonly deps: { auth: AuthService; discovery: DiscoveryService },
  ) {}

  async request<T>(
    credentials: BackstageCredentials,
    method: 'GET' | 'PUT' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const baseUrl = await this.deps.discovery.getBaseUrl('orchestrator');
    const { token } = await this.deps.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'orchestrator',
    });
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) {
      // Surface the orchestrator's own message (and validation details) in the task log.
      const error = await ResponseError.fromResponse(response);
      const details = ((error.body as { details?: { message: string; path?: string }[] })
        .details ?? [])
        .map(d => `\n  ${d.path ? `${d.path}: ` : ''}${d.message}`)
        .join('');
      throw new Error(
        `Orchestrator ${method} ${path} failed (${response.status}): ${error.body.error.message}${details}`,
      );
    }
    return response.status === 204 ? (undefined as T) : ((await response.json()) as T);
  }
}
