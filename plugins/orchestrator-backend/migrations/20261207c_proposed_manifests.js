// @ts-check

/**
 * A deployment awaiting approval keeps the manifests it would deliver
 * (`deployment_artifacts.proposed`, JSON {files, knownAfterProvisioning}),
 * rendered without provisioning, for its approvers to read.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('deployment_artifacts', table => {
    table.text('proposed', 'longtext').nullable().comment('Manifests a deployment awaiting approval would deliver (secrets as references)');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('deployment_artifacts', table => {
    table.dropColumn('proposed');
  });
};
