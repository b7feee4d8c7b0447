// @ts-check

/**
 * The backends working one database, each with the GitOps repository it
 * delivers to, renewed while it lives: a backend refuses to deliver while a
 * live one delivers elsewhere (replicas with private repositories diverge).
 * Deployments count how often a stopped backend interrupted them, so one that
 * stops every backend that runs it is not taken over forever.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('backend_instances', table => {
    table.string('instance_id', 255).primary();
    table.text('gitops').notNullable().comment('The GitOps repository it delivers to: remote URL and branch, or its own local one');
    table.timestamp('started_at').notNullable();
    table.timestamp('renewed_at').notNullable();
  });
  await knex.schema.alterTable('deployments', table => {
    table.integer('interruptions').notNullable().defaultTo(0);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('deployments', table => {
    table.dropColumn('interruptions');
  });
  await knex.schema.dropTable('backend_instances');
};
