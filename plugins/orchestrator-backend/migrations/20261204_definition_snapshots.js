// @ts-check

/**
 * The definitions active resources were provisioned with, each kept once
 * (encrypted: a definition may hold secrets) instead of inside every
 * resource's `provisioned_with`, where it was two thirds of the row. The key
 * is a keyed digest (HMAC) of the definition, so equal definitions share a
 * row and the key says nothing about what it holds. Rows written before
 * keep their definition inline and are read as before.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('definition_snapshots', table => {
    table.string('digest', 64).primary().comment('HMAC-SHA-256 of the definition\'s JSON under the secret key, hex');
    table.text('definition').notNullable().comment('Ciphertext of the definition');
    table.timestamp('created_at').notNullable().defaultTo(knex.fn.now());
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('definition_snapshots');
};
