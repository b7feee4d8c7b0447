// @ts-check

/**
 * The names of each active resource's secret outputs, in the clear (the
 * names are not secret, the values stay encrypted): listings show them
 * without decrypting every resource's secrets. Rows written before keep
 * null and are read by decrypting, as before.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('active_resources', table => {
    table.text('secret_output_names').nullable().comment('JSON array of the secret outputs\' names, sorted');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('active_resources', table => {
    table.dropColumn('secret_output_names');
  });
};
