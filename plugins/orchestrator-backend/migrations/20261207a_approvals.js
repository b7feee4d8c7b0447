// @ts-check

/**
 * Approvals for protected environments: an environment type may require
 * approval (and name whom to tell), and a deployment keeps who approved or
 * rejected it, when and why. The requester is the deployment's created_by.
 * The status column widens for `awaiting-approval` (SQLite does not enforce
 * a varchar's length).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('env_types', table => {
    table.text('approval').nullable().comment('JSON {required, approvers}; null when no approval is required');
  });
  await knex.schema.alterTable('deployments', table => {
    table.string('decided_by', 255).nullable().comment('Who approved or rejected it');
    table.timestamp('decided_at').nullable();
    table.text('decision_comment').nullable().comment('Why, as the approver or rejecter said');
  });
  if (knex.client.config.client === 'pg') {
    await knex.raw('ALTER TABLE ?? ALTER COLUMN ?? TYPE varchar(32)', ['deployments', 'status']);
  }
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  // Waiting deployments cannot wait without the columns: they end cancelled.
  await knex('deployments').where({ status: 'awaiting-approval' }).update({ status: 'cancelled', finished_at: new Date() });
  if (knex.client.config.client === 'pg') {
    await knex.raw('ALTER TABLE ?? ALTER COLUMN ?? TYPE varchar(16)', ['deployments', 'status']);
  }
  await knex.schema.alterTable('deployments', table => {
    table.dropColumn('decided_by');
    table.dropColumn('decided_at');
    table.dropColumn('decision_comment');
  });
  await knex.schema.alterTable('env_types', table => {
    table.dropColumn('approval');
  });
};
