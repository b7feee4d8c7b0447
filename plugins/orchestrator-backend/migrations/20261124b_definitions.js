// @ts-check

/**
 * Resource definitions managed through the API (platform configuration from
 * files is read at start and kept in memory).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('resource_definitions', table => {
    table.comment('Resource definitions created through the API');
    table.string('id').primary().notNullable();
    table.string('type', 63).notNullable();
    table.text('document', 'longtext').notNullable().comment('the definition without driverInputs.secrets');
    table.text('secrets', 'longtext').nullable().comment('encrypted driverInputs.secrets');
    table.integer('revision').notNullable().defaultTo(1);
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('delivered_secrets', table => {
    table.comment('Data of the Secrets a deployment delivered, served to External Secrets');
    table.string('app_id', 63).notNullable();
    table.string('env_id', 63).notNullable();
    table.string('name').notNullable();
    table.text('data', 'longtext').notNullable().comment('encrypted map of key to value');
    table.string('deployment_id', 36).notNullable();
    table.primary(['app_id', 'env_id', 'name']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('delivered_secrets');
  await knex.schema.dropTable('resource_definitions');
};
