import { createScoreWorkloadCreateAction } from './scoreWorkloadCreate';
import { createScoreResourceAddAction } from './scoreResourceAdd';
import { LEGACY_ACTION_IDS, legacyAliases } from './legacyActionIds';

describe('legacy action ids', () => {
  it('keeps each old id working as the same action, marked deprecated', () => {
    const actions = [createScoreWorkloadCreateAction(), createScoreResourceAddAction()];
    const aliases = legacyAliases(actions);
    expect(aliases.map(a => a.id)).toEqual(['score:workload:create', 'score:resource:add']);
    for (const [i, alias] of aliases.entries()) {
      expect(alias.handler).toBe(actions[i].handler);
      expect(alias.schema).toBe(actions[i].schema);
      expect(alias.description).toMatch(new RegExp(`^Deprecated: use ${actions[i].id}\\.`));
    }
  });

  it('puts every current id under the baton: prefix', () => {
    expect(Object.keys(LEGACY_ACTION_IDS).every(id => id.startsWith('baton:'))).toBe(true);
  });
});
