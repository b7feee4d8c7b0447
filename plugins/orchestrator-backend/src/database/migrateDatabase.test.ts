import { DatabaseService } from '@backstage/backend-plugin-api';
import knexFactory from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migratedClient } from './migrateDatabase';

describe('migratedClient', () => {
  it('gives a SQLite file database a write-ahead log, so commits do not hold up the backend on disk syncs', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-sqlite-'));
    const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: path.join(dir, 'orchestrator.sqlite') }, useNullAsDefault: true });
    try {
      const database: DatabaseService = { getClient: async () => knex };
      const client = await migratedClient(database);
      expect(await client.raw('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
      // 1 is NORMAL: synced at checkpoints, not at every commit.
      expect(await client.raw('PRAGMA synchronous')).toEqual([{ synchronous: 1 }]);
      expect(fs.existsSync(path.join(dir, 'orchestrator.sqlite-wal'))).toBe(true);
    } finally {
      await knex.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
