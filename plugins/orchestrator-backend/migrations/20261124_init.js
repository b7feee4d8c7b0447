// @ts-check

/**
 * Apps, environment types and environments.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('env_types', table => {
    table.comment('Environment types (development, staging, production, …)');
    table.string('id', 63).primary().notNullable();
    table.string('name').nullable();
    table.string('source', 16).notNullable().defaultTo('api').comment('api or config');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('apps', table => {
    table.comment('Groups of workloads deployed together');
    table.string('id', 63).primary().notNullable();
    table.string('title').nullable();
    table.string('entity_ref').nullable().comment('Catalog entity the app belongs to');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('environments', table => {
    table.comment('Environments of an app');
    table.string('app_id', 63).notNullable().references('id').inTable('apps').onDelete('CASCADE');
    table.string('id', 63).notNullable();
    table.string('type', 63).notNullable().references('id').inTable('env_types');
    table.string('cloned_from', 63).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.primary(['app_id', 'id']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('environments');
  await knex.schema.dropTable('apps');
  await knex.schema.dropTable('env_types');
};
