// @ts-check

/**
 * A pull or merge request's preview of a remote repository keeps the ref its
 * host keeps the request's head at (`preview_ref`: `refs/pull/42/head` on
 * GitHub, `refs/merge-requests/7/head` on GitLab), so that a request from a
 * fork, whose branch is not in the watched repository, is fetched too.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('environments', table => {
    table.string('preview_ref', 255).nullable().comment("Ref of a pull request's head in a remote repository; null: the branch is fetched");
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('environments', table => {
    table.dropColumn('preview_ref');
  });
};
