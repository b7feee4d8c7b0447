// @ts-check

/**
 * How each environment is delivered: `gitops` (commit to the GitOps
 * repository) or `direct` (drivers, then a cluster applier when one is
 * installed; the manifests are kept with the deployment).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('environments', table => {
    table.string('deploy_mode', 16).notNullable().defaultTo('gitops').comment('gitops|direct');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('environments', table => {
    table.dropColumn('deploy_mode');
  });
};
