import { mockCredentials } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { DecisionCache } from './DecisionCache';

describe('DecisionCache', () => {
  it('reuses a decision per principal, permission and resource until it expires', () => {
    let now = 1_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const cache = new DecisionCache(5000);
    const alice = DecisionCache.keyOf(mockCredentials.user('user:default/alice'), 'orchestrator.read')!;
    const bob = DecisionCache.keyOf(mockCredentials.user('user:default/bob'), 'orchestrator.read')!;
    const prod = DecisionCache.keyOf(mockCredentials.user('user:default/alice'), 'orchestrator.deployment.create', 'shop/prod')!;
    cache.set(alice, AuthorizeResult.ALLOW);
    cache.set(prod, AuthorizeResult.DENY);
    expect(cache.get(alice)).toBe(AuthorizeResult.ALLOW);
    expect(cache.get(bob)).toBeUndefined();
    expect(cache.get(prod)).toBe(AuthorizeResult.DENY);
    now += 5001;
    expect(cache.get(alice)).toBeUndefined();
    expect(DecisionCache.keyOf(mockCredentials.none(), 'orchestrator.read')).toBeUndefined();
  });

  it('keeps nothing when disabled, and stays bounded', () => {
    const off = new DecisionCache(0);
    off.set('k', AuthorizeResult.ALLOW);
    expect(off.get('k')).toBeUndefined();
    const small = new DecisionCache(60_000, 2);
    small.set('a', AuthorizeResult.ALLOW);
    small.set('b', AuthorizeResult.ALLOW);
    small.set('c', AuthorizeResult.ALLOW);
    expect(small.get('a')).toBeUndefined();
    expect(small.get('c')).toBe(AuthorizeResult.ALLOW);
  });
});
