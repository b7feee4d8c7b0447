// @ts-check

/**
 * An app names the Git repository holding its Score files and which branch
 * deploys to which environment; the Git watcher follows it from then on.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('apps', table => {
    table.text('repository_url').nullable();
    table.text('repository_branches').nullable().comment('JSON: branch → environment');
    table.text('repository_paths').nullable().comment('JSON: globs of Score files');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('apps', table => {
    table.dropColumn('repository_url');
    table.dropColumn('repository_branches');
    table.dropColumn('repository_paths');
  });
};
