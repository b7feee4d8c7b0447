/**
 * Catalog annotation naming the orchestrator app an entity belongs to.
 *
 * @public
 */
export const BATON_APP_ANNOTATION = 'baton.dev/app';

/**
 * Catalog annotation mapping the branches of the entity's source repository
 * (`backstage.io/source-location`) to the app's environments, as
 * `main=dev, release=staging`: a push to a branch deploys its Score files to
 * that environment.
 *
 * @public
 */
export const BATON_BRANCHES_ANNOTATION = 'baton.dev/branches';
