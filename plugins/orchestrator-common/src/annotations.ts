/**
 * Catalog annotation naming the orchestrator app an entity belongs to.
 *
 * @public
 */
export const BATON_APP_ANNOTATION = 'baton.dev/app';
