import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sqliteDatabaseServiceFactory } from './sqliteDatabaseService';

describe('sqliteDatabaseServiceFactory', () => {
  it('gives every plugin its SQLite database in write-ahead-log mode, synced at checkpoints', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-sqlite-'));
    const modes: Record<string, unknown> = {};
    const probe = (pluginId: string) =>
      createBackendPlugin({
        pluginId,
        register(env) {
          env.registerInit({
            deps: { database: coreServices.database },
            async init({ database }) {
              const client = await database.getClient();
              const [journal] = await client.raw('PRAGMA journal_mode');
              const [synchronous] = await client.raw('PRAGMA synchronous');
              modes[pluginId] = { journal: journal.journal_mode, synchronous: synchronous.synchronous };
            },
          });
        },
      });
    const backend = await startTestBackend({
      features: [
        sqliteDatabaseServiceFactory,
        mockServices.rootConfig.factory({ data: { backend: { database: { client: 'better-sqlite3', connection: { directory } } } } }),
        probe('catalog'),
        probe('scaffolder'),
      ],
    });
    try {
      // synchronous = 1 is NORMAL; SQLite's default is FULL (2) with a rollback journal.
      expect(modes).toEqual({ catalog: { journal: 'wal', synchronous: 1 }, scaffolder: { journal: 'wal', synchronous: 1 } });
      expect(fs.readdirSync(directory).sort()).toEqual(expect.arrayContaining(['catalog.sqlite', 'scaffolder.sqlite']));
    } finally {
      await backend.stop();
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});
