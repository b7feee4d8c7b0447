// @ts-check

/**
 * What each deployment delivered to Git, and the last drift check per
 * environment.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('deployments', table => {
    table.text('delivered', 'longtext').nullable().comment('files committed to the GitOps repository');
  });
  await knex.schema.createTable('drift_reports', table => {
    table.comment('Result of the last drift check of an environment');
    table.string('app_id', 63).notNullable();
    table.string('env_id', 63).notNullable();
    table.timestamp('checked_at', { useTz: true }).notNullable();
    table.text('items', 'longtext').notNullable();
    table.primary(['app_id', 'env_id']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('drift_reports');
  await knex.schema.alterTable('deployments', table => {
    table.dropColumn('delivered');
  });
};
