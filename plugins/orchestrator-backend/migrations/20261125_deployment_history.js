// @ts-check

const ARTIFACTS = ['plan', 'graph', 'diff', 'delivered'];

/**
 * Reading an environment's deployment history costs the page read, not the
 * whole history:
 *
 * - A deployment's plan, graph, diff and delivered files move out of the
 *   `deployments` row into `deployment_artifacts`. They are large (tens of kB
 *   for a ten-workload app) and on SQLite every column stored after them is
 *   read through their overflow pages, so a listing read them all.
 * - `deployments.seq` copies the request order from `deployment_queue` so that
 *   one index, (app, env, seq), serves the newest-first listing, the last
 *   successful deployment and the next queued one without sorting the
 *   environment's whole history.
 *
 * The columns are dropped with plain `ALTER TABLE … DROP COLUMN` (PostgreSQL,
 * SQLite ≥ 3.35): knex's SQLite fallback rebuilds the table, and dropping the
 * old `deployments` inside the migration's transaction would cascade into the
 * queue, nodes and logs.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('deployment_artifacts', table => {
    table.comment('What a deployment planned, built and delivered (JSON), read one deployment at a time');
    table
      .string('deployment_id', 36)
      .primary()
      .notNullable()
      .references('id')
      .inTable('deployments')
      .onDelete('CASCADE');
    for (const column of ARTIFACTS) table.text(column, 'longtext').nullable();
  });
  await knex.raw(
    `INSERT INTO deployment_artifacts (deployment_id, plan, graph, diff, delivered)
     SELECT id, plan, graph, diff, delivered FROM deployments
     WHERE plan IS NOT NULL OR graph IS NOT NULL OR diff IS NOT NULL OR delivered IS NOT NULL`,
  );
  for (const column of ARTIFACTS) {
    await knex.raw('ALTER TABLE ?? DROP COLUMN ??', ['deployments', column]);
  }

  await knex.schema.alterTable('deployments', table => {
    table.bigInteger('seq').nullable().comment('deployment_queue.seq: the order in which deployments were requested');
  });
  await knex('deployments').update({
    seq: knex('deployment_queue').select('seq').where('deployment_queue.deployment_id', knex.ref('deployments.id')),
  });
  await knex.schema.alterTable('deployments', table => {
    table.index(['app_id', 'env_id', 'seq'], 'deployments_env_seq_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('deployments', table => {
    table.dropIndex([], 'deployments_env_seq_idx');
  });
  await knex.raw('ALTER TABLE ?? DROP COLUMN ??', ['deployments', 'seq']);

  await knex.schema.alterTable('deployments', table => {
    for (const column of ARTIFACTS) table.text(column, 'longtext').nullable();
  });
  for (const column of ARTIFACTS) {
    await knex('deployments').update({
      [column]: knex('deployment_artifacts')
        .select(column)
        .where('deployment_artifacts.deployment_id', knex.ref('deployments.id')),
    });
  }
  await knex.schema.dropTable('deployment_artifacts');
};
