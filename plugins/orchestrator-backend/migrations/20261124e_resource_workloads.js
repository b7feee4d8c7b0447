// @ts-check

/**
 * Which workloads use each active resource (for the catalog's dependencyOf).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('active_resources', table => {
    table.text('workloads').nullable().comment('JSON list of the workload names that declare or use it');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('active_resources', table => {
    table.dropColumn('workloads');
  });
};
