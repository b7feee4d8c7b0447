import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';

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
