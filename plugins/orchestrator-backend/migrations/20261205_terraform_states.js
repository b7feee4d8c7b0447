// @ts-check

/**
 * Terraform state of resources provisioned by the `terraform` driver, one
 * per resource (keyed by its guresid), served to Terraform through its
 * `http` state backend by the backend itself. The state is encrypted (it
 * holds every sensitive value of the module). The lock is a row column so
 * that replicas on one database share it; its holder renews `lock_expires_at`
 * while it runs, so a lock left by a killed backend is broken once it lapses.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('terraform_states', table => {
    table.string('guresid', 255).primary();
    table.text('state').nullable().comment('Ciphertext of the Terraform state JSON');
    table.string('lock_id', 255).nullable();
    table.text('lock_info').nullable().comment('The lock information Terraform sent (JSON; no secrets)');
    table.timestamp('lock_expires_at').nullable();
    table.text('last_run').nullable().comment('The last run: operation, added/changed/destroyed, when (JSON)');
    table.timestamp('updated_at').notNullable().defaultTo(knex.fn.now());
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('terraform_states');
};
