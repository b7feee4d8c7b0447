import { BackstageCredentials, PermissionsService } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult, BasicPermission, ResourcePermission } from '@backstage/plugin-permission-common';

/**
 * Remembers permission decisions for a moment. Each decision otherwise costs
 * a round trip to the permission backend, which limits the API to a few
 * hundred requests per second; a policy change takes effect after `ttlMs`.
 *
 * @internal
 */
export class DecisionCache {
  private readonly entries = new Map<string, { result: AuthorizeResult; expires: number }>();

  constructor(private readonly ttlMs: number, private readonly maxEntries = 10_000) {}

  static keyOf(credentials: BackstageCredentials, permission: string, resourceRef?: string): string | undefined {
    const principal = credentials.principal as { type?: string; userEntityRef?: string; subject?: string };
    let who: string | undefined;
    if (principal.type === 'user') who = principal.userEntityRef;
    else if (principal.type === 'service') who = `service:${principal.subject}`;
    return who ? `${who}\u0000${permission}\u0000${resourceRef ?? ''}` : undefined;
  }

  get(key: string): AuthorizeResult | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires < Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.result;
  }

  set(key: string, result: AuthorizeResult): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) {
      // Drop the oldest entry (Map keeps insertion order).
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, { result, expires: Date.now() + this.ttlMs });
  }
}

/** Throws 403 unless the credentials hold the permission (on the resource, for a resource permission). @internal */
export type PermissionCheck = (
  credentials: BackstageCredentials,
  permission: BasicPermission | ResourcePermission,
  resourceRef?: string,
) => Promise<void>;

/**
 * The permission check of the REST routes and of the actions alike: one
 * cache, so an agent's action and the route it mirrors get the same
 * decision in the same moment, and neither asks the policy again meanwhile.
 *
 * @internal
 */
export function cachedPermissionCheck(permissions: PermissionsService, decisions: DecisionCache): PermissionCheck {
  return async (credentials, permission, resourceRef) => {
    const key = DecisionCache.keyOf(credentials, permission.name, resourceRef);
    let result = key ? decisions.get(key) : undefined;
    if (result === undefined) {
      const [decision] = await permissions.authorize(
        [permission.type === 'resource' ? { permission, resourceRef: resourceRef! } : { permission }],
        { credentials },
      );
      result = decision.result;
      if (key) decisions.set(key, result);
    }
    if (result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`${permission.name} is not allowed${resourceRef ? ` on ${resourceRef}` : ''}`);
    }
  };
}
