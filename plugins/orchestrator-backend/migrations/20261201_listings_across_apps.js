// @ts-check

/**
 * Listings across every app page through indexes instead of sorting whole
 * tables: the platform page's recent deployments (newest first, optionally
 * only one status) and its orphaned resources (`GET /resources?status=`).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('deployments', table => {
    table.index(['seq'], 'deployments_seq_idx');
    table.index(['status', 'seq'], 'deployments_status_seq_idx');
  });
  await knex.schema.alterTable('active_resources', table => {
    table.index(['status', 'app_id', 'env_id', 'uid'], 'active_resources_status_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('active_resources', table => {
    table.dropIndex([], 'active_resources_status_idx');
  });
  await knex.schema.alterTable('deployments', table => {
    table.dropIndex([], 'deployments_status_seq_idx');
    table.dropIndex([], 'deployments_seq_idx');
  });
};
