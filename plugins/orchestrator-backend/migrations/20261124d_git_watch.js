// @ts-check

/**
 * The last commit the Git watcher handled per repository and branch.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('git_watch_state', table => {
    table.string('repository').notNullable();
    table.string('branch').notNullable();
    table.string('commit', 40).notNullable();
    table.primary(['repository', 'branch']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('git_watch_state');
};
