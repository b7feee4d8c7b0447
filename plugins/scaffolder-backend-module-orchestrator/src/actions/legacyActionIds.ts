import type { TemplateAction } from '@backstage/plugin-scaffolder-node';

/**
 * The ids Baton's actions had before they all moved under `baton:`. Templates
 * written against them keep working: each is registered as an alias of the
 * action that replaced it.
 */
export const LEGACY_ACTION_IDS: Record<string, string> = {
  'baton:score:create': 'score:workload:create',
  'baton:score:resource:add': 'score:resource:add',
  'baton:app:create': 'orchestrator:app:create',
  'baton:environment:create': 'orchestrator:environment:create',
  'baton:deploy': 'orchestrator:deploy',
};

/** The aliases of those actions that have a legacy id: the same action under its old id. */
export function legacyAliases(actions: TemplateAction<any, any, any>[]): TemplateAction<any, any, any>[] {
  return actions.flatMap(action => {
    const legacy = LEGACY_ACTION_IDS[action.id];
    return legacy
      ? [{ ...action, id: legacy, description: `Deprecated: use ${action.id}. ${action.description ?? ''}`.trim() }]
      : [];
  });
}
