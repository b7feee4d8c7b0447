// @ts-check

/**
 * A status poll counts a deployment's nodes by status. Without this index
 * the count read every node row of the deployment (tens of thousands in a
 * big one, each with its message); with it, only the index.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('deployment_nodes', table => {
    table.index(['deployment_id', 'status'], 'deployment_nodes_status_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('deployment_nodes', table => {
    table.dropIndex(['deployment_id', 'status'], 'deployment_nodes_status_idx');
  });
};
