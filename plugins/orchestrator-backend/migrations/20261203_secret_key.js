// @ts-check

/**
 * The fingerprint of the key the database's secrets are encrypted with, so
 * that a backend started with another key (a replica without the shared
 * `orchestrator.secrets.key`) refuses to start instead of failing every
 * deployment that reads what the others wrote.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('secret_key', table => {
    table.string('name').primary().comment('Always "current": one row');
    table.string('key_id').notNullable().comment('First 8 characters of the base64url SHA-256 of the key');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('secret_key');
};
