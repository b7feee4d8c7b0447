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

  it('copies the write-ahead log into the database file from another thread, not at commit', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-sqlite-'));
    let client: Awaited<ReturnType<typeof coreServices.database.T.getClient>> | undefined;
    const backend = await startTestBackend({
      features: [
        sqliteDatabaseServiceFactory,
        mockServices.rootConfig.factory({ data: { backend: { database: { client: 'better-sqlite3', connection: { directory } } } } }),
        createBackendPlugin({
          pluginId: 'catalog',
          register(env) {
            env.registerInit({
              deps: { database: coreServices.database },
              async init({ database }) {
                client = await database.getClient();
              },
            });
          },
        }),
      ],
    });
    try {
      const [setting] = await client!.raw('PRAGMA wal_autocheckpoint');
      expect(setting.wal_autocheckpoint).toBe(0);
      await client!.schema.createTable('blobs', table => table.text('value'));
      // 8 MB in one commit: SQLite's own checkpoint at commit would copy it into the file at once.
      await client!.transaction(async tx => {
        for (let i = 0; i < 8; i++) await tx('blobs').insert({ value: `${i}${'x'.repeat(1024 * 1024)}` });
      });
      const file = path.join(directory, 'catalog.sqlite');
      // Nothing more is written: only the checkpointing thread can bring the rows into the file.
      const deadline = Date.now() + 10_000;
      while (fs.statSync(file).size < 8 * 1024 * 1024 && Date.now() < deadline) await new Promise(r => setTimeout(r, 100));
      expect(fs.statSync(file).size).toBeGreaterThan(8 * 1024 * 1024);
      const [{ n }] = await client!('blobs').count({ n: '*' });
      expect(Number(n)).toBe(8);
    } finally {
      await backend.stop();
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});
