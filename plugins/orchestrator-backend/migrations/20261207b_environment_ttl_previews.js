// @ts-check

/**
 * Time to live and preview environments. An environment may expire
 * (`ttl`, `expires_at`; `expiring_at` once `environment.expiring` was
 * published). An environment being torn down keeps why (`teardown_reason`),
 * which backend does it and when it last said so (`teardown_by`,
 * `teardown_heartbeat`): a backend that stops mid-teardown leaves it to the
 * next, and nothing refuses a restart's resumption. A preview keeps what it
 * follows: the repository, branch, source (`#42` or the branch) and the pull
 * request's page.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('environments', table => {
    table.string('ttl', 32).nullable().comment('ISO 8601 duration; null: the environment never expires');
    table.timestamp('expires_at', { useTz: true }).nullable();
    table.timestamp('expiring_at', { useTz: true }).nullable().comment('When environment.expiring was published for this expiry');
    table.string('teardown_reason', 32).nullable().comment('expired, preview-closed or branch-deleted; null unless being torn down');
    table.string('teardown_by', 255).nullable().comment('Backend instance tearing it down');
    table.timestamp('teardown_heartbeat', { useTz: true }).nullable();
    table.string('preview_source', 255).nullable().comment('#42 or the branch a preview follows');
    table.text('preview_repository').nullable();
    table.string('preview_branch', 255).nullable();
    table.text('preview_url').nullable().comment("The pull request's page");
    table.index(['expires_at'], 'environments_expires_at_idx');
    table.index(['teardown_reason'], 'environments_teardown_reason_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('environments', table => {
    table.dropIndex(['expires_at'], 'environments_expires_at_idx');
    table.dropIndex(['teardown_reason'], 'environments_teardown_reason_idx');
  });
  await knex.schema.alterTable('environments', table => {
    for (const column of ['ttl', 'expires_at', 'expiring_at', 'teardown_reason', 'teardown_by', 'teardown_heartbeat', 'preview_source', 'preview_repository', 'preview_branch', 'preview_url']) {
      table.dropColumn(column);
    }
  });
};
