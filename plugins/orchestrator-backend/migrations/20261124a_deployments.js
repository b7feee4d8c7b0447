// @ts-check

/**
 * Deployment sets, deployments with per-node status and log, active
 * resources and the per-environment deployment lock.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('deployment_sets', table => {
    table.comment('Immutable, content-addressed sets of the workloads of an app');
    table.string('id', 64).primary().notNullable().comment('sha256 of the canonical JSON');
    table.string('app_id', 63).notNullable();
    table.text('content', 'longtext').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('deployments', table => {
    table.comment('One run of a deployment set into an environment');
    table.string('id', 36).primary().notNullable();
    table.string('app_id', 63).notNullable();
    table.string('env_id', 63).notNullable();
    table.string('set_id', 64).notNullable().references('id').inTable('deployment_sets');
    table.string('previous_id', 36).nullable();
    table.string('status', 16).notNullable().comment('queued|running|succeeded|failed|cancelled');
    table.string('created_by').notNullable();
    table.text('comment').nullable();
    table.text('plan', 'longtext').nullable();
    table.text('graph', 'longtext').nullable();
    table.text('diff', 'longtext').nullable();
    table.text('error').nullable();
    table.string('commit', 40).nullable().comment('GitOps commit');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('started_at', { useTz: true }).nullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.index(['app_id', 'env_id', 'created_at'], 'deployments_env_created_idx');
    table.index(['status'], 'deployments_status_idx');
  });

  await knex.schema.createTable('deployment_queue', table => {
    table.comment('Order in which deployments were requested');
    table.bigIncrements('seq').primary();
    table.string('deployment_id', 36).notNullable().unique().references('id').inTable('deployments').onDelete('CASCADE');
  });

  await knex.schema.createTable('deployment_nodes', table => {
    table.string('deployment_id', 36).notNullable().references('id').inTable('deployments').onDelete('CASCADE');
    table.string('uid').notNullable();
    table.string('status', 16).notNullable().comment('pending|running|succeeded|failed|skipped');
    table.text('message').nullable();
    table.primary(['deployment_id', 'uid']);
  });

  await knex.schema.createTable('deployment_logs', table => {
    table.bigIncrements('id').primary();
    table.string('deployment_id', 36).notNullable().references('id').inTable('deployments').onDelete('CASCADE');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.string('level', 8).notNullable();
    table.string('uid').nullable();
    table.text('message').notNullable();
    table.index(['deployment_id', 'id'], 'deployment_logs_deployment_idx');
  });

  await knex.schema.createTable('active_resources', table => {
    table.comment('Provisioned resource graph nodes');
    table.string('app_id', 63).notNullable();
    table.string('env_id', 63).notNullable();
    table.string('uid').notNullable();
    table.string('res_id').notNullable();
    table.string('type', 63).notNullable();
    table.string('class', 63).notNullable();
    table.string('guresid', 64).notNullable().unique();
    table.string('definition_id').notNullable();
    table.integer('definition_revision').notNullable().defaultTo(0);
    table.string('status', 16).notNullable().comment('pending|active|failed|deleting|orphaned');
    table.text('outputs', 'longtext').notNullable().defaultTo('{}');
    table.text('secret_outputs', 'longtext').nullable().comment('encrypted');
    table.text('cookie', 'longtext').nullable().comment('encrypted driver state');
    table.string('deployment_id', 36).nullable();
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.primary(['app_id', 'env_id', 'uid']);
  });

  await knex.schema.createTable('environment_locks', table => {
    table.comment('At most one running deployment per environment, across replicas');
    table.string('app_id', 63).notNullable();
    table.string('env_id', 63).notNullable();
    table.string('deployment_id', 36).notNullable();
    table.string('owner').notNullable().comment('instance holding the lock');
    table.timestamp('renewed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.primary(['app_id', 'env_id']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('environment_locks');
  await knex.schema.dropTable('active_resources');
  await knex.schema.dropTable('deployment_logs');
  await knex.schema.dropTable('deployment_nodes');
  await knex.schema.dropTable('deployment_queue');
  await knex.schema.dropTable('deployments');
  await knex.schema.dropTable('deployment_sets');
};
