// @ts-check

/**
 * The definition (as it was) and the params each active resource was
 * provisioned with, encrypted: drift checks and deprovisioning call the
 * driver with the same inputs, even after the definition changed.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('active_resources', table => {
    table.text('provisioned_with', 'longtext').nullable().comment('encrypted JSON {definition, params}');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('active_resources', table => {
    table.dropColumn('provisioned_with');
  });
};
