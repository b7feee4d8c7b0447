/**
 * Catalog benchmark: 50k active resources in the orchestrator (SQLite), then
 * one full refresh of the entity provider: reading every resource through the
 * REST API (pages of 1,000), mapping it to a Resource entity, and handing the
 * full mutation to the catalog connection.
 *
 *   yarn bench:catalog [--resources 50000] [--json]
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { DeferredEntity, EntityProviderMutation } from '@backstage/plugin-catalog-node';
import orchestratorPlugin from '@baton/backstage-plugin-orchestrator-backend';
import { OrchestratorEntityProvider } from '@baton/backstage-plugin-catalog-backend-module-orchestrator';
import { knex as createKnex } from 'knex';
import { AddressInfo } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const total = args.includes('--resources') ? Number(args[args.indexOf('--resources') + 1]) : 50_000;

const quietLogger: any = {
  info() {},
  warn: console.warn,
  error: console.error,
  debug() {},
  child: () => quietLogger,
};

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-bench-catalog-'));
  const knex = createKnex({ client: 'better-sqlite3', connection: { filename: path.join(dir, 'orchestrator.sqlite') }, useNullAsDefault: true });
  const backend = await startTestBackend({
    features: [
      orchestratorPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({ data: { orchestrator: { dataDir: dir } } }),
    ],
  });
  const { port } = backend.server.address() as AddressInfo;
  const baseUrl = `http://localhost:${port}/api/orchestrator`;

  // 50k resources over 100 apps × 5 environments.
  await knex('env_types').insert({ id: 'development', source: 'api' });
  const rows = [];
  for (let i = 0; i < total; i++) {
    const app = `app-${i % 100}`;
    const env = `env-${Math.floor(i / 100) % 5}`;
    const type = ['postgres', 'redis', 's3', 'dns', 'amqp'][i % 5];
    const resId = `modules.svc-${Math.floor(i / 500)}.externals.${type}-${i}`;
    rows.push({
      app_id: app, env_id: env, uid: `${type}.default#${resId}`, res_id: resId, type, class: 'default',
      guresid: `g${i.toString(16).padStart(23, '0')}`, definition_id: `${type}-dev`, definition_revision: 1,
      status: 'active', outputs: JSON.stringify({ host: `${type}-${i}.internal`, port: 5432 }),
      workloads: JSON.stringify([`svc-${Math.floor(i / 500)}`]), updated_at: new Date(),
    });
  }
  for (const app of new Set(rows.map(r => r.app_id))) await knex('apps').insert({ id: app });
  const envs = new Set(rows.map(r => `${r.app_id}/${r.env_id}`));
  for (const key of envs) {
    const [app, env] = key.split('/');
    await knex('environments').insert({ app_id: app, id: env, type: 'development' });
  }
  await knex.batchInsert('active_resources', rows, 500);

  let emitted = 0;
  const provider = new OrchestratorEntityProvider({
    auth: mockServices.auth(),
    discovery: { getBaseUrl: async () => baseUrl, getExternalBaseUrl: async () => baseUrl },
    catalog: { getEntities: async () => ({ items: [] }) } as any,
    logger: quietLogger,
    taskRunner: { run: async () => {} },
    entityPageBaseUrl: 'http://localhost:3000',
  });
  await provider.connect({
    applyMutation: async (mutation: EntityProviderMutation) => {
      if (mutation.type === 'full') emitted = mutation.entities.length;
      // The catalog validates every entity name it receives.
      for (const { entity } of (mutation as { entities: DeferredEntity[] }).entities) {
        if (!/^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/.test(entity.metadata.name)) throw new Error(entity.metadata.name);
      }
    },
    refresh: async () => {},
  });

  const start = performance.now();
  await provider.refresh();
  const ms = Math.round(performance.now() - start);
  if (emitted !== total) throw new Error(`emitted ${emitted} of ${total}`);
  const result = { resources: total, entities: emitted, fullMutationMs: ms };
  if (args.includes('--json')) console.log(JSON.stringify(result));
  else console.log(`${total} active resources → full mutation of ${emitted} Resource entities in ${ms} ms`);
  await backend.stop();
  await knex.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
