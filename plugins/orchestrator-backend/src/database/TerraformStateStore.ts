import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { migratedClient } from './migrateDatabase';

/** What Terraform's last run of a resource did, for the platform page (never the state). @internal */
export interface TerraformRunSummary {
  operation: 'apply' | 'destroy' | 'plan';
  add: number;
  change: number;
  destroy: number;
  at: string;
}

/** A held state lock: Terraform's own lock information and when it lapses unless renewed. @internal */
export interface TerraformStateLock {
  id: string;
  info: string;
  expiresAt: Date;
}

/**
 * Terraform states, one per resource, as ciphertext (the driver encrypts),
 * with a lock shared by every backend on the database.
 *
 * @internal
 */
export interface TerraformStateStore {
  getState(guresid: string): Promise<string | undefined>;
  putState(guresid: string, ciphertext: string): Promise<void>;
  /** Removes the state, its lock and its summary (after a destroy). */
  delete(guresid: string): Promise<void>;
  /**
   * Takes the lock unless another holds it and it has not lapsed; a lapsed
   * one is broken and returned as `broken`.
   */
  lock(guresid: string, lock: TerraformStateLock): Promise<{ acquired: true; broken?: TerraformStateLock } | { acquired: false; holder: TerraformStateLock }>;
  /** Extends a held lock; false when it is no longer this one's. */
  renew(guresid: string, id: string, expiresAt: Date): Promise<boolean>;
  /** Releases the lock when `id` holds it (or any lock without `id`). */
  unlock(guresid: string, id?: string): Promise<boolean>;
  getLock(guresid: string): Promise<TerraformStateLock | undefined>;
  putLastRun(guresid: string, summary: TerraformRunSummary): Promise<void>;
  lastRuns(guresids: string[]): Promise<Map<string, TerraformRunSummary>>;
}

/** @internal */
export class DatabaseTerraformStateStore implements TerraformStateStore {
  static async create(options: { database: DatabaseService }): Promise<DatabaseTerraformStateStore> {
    return new DatabaseTerraformStateStore(await migratedClient(options.database));
  }

  private constructor(private readonly db: Knex) {}

  async getState(guresid: string) {
    const row = await this.db('terraform_states').where({ guresid }).first('state');
    return row?.state ?? undefined;
  }

  async putState(guresid: string, ciphertext: string) {
    await this.db('terraform_states')
      .insert({ guresid, state: ciphertext, updated_at: new Date() })
      .onConflict('guresid')
      .merge(['state', 'updated_at']);
  }

  async delete(guresid: string) {
    await this.db('terraform_states').where({ guresid }).delete();
  }

  async lock(guresid: string, lock: TerraformStateLock) {
    await this.db('terraform_states').insert({ guresid }).onConflict('guresid').ignore();
    return this.db.transaction(async tx => {
      // The row lock (PostgreSQL) or the write transaction (SQLite) makes read-then-take atomic.
      const query = tx('terraform_states').where({ guresid });
      const row = await (tx.client.config.client === 'pg' ? query.forUpdate() : query).first('lock_id', 'lock_info', 'lock_expires_at');
      const holder = row?.lock_id
        ? { id: row.lock_id as string, info: (row.lock_info as string) ?? '', expiresAt: new Date(row.lock_expires_at) }
        : undefined;
      if (holder && holder.expiresAt.getTime() > Date.now() && holder.id !== lock.id) {
        return { acquired: false as const, holder };
      }
      await tx('terraform_states')
        .where({ guresid })
        .update({ lock_id: lock.id, lock_info: lock.info, lock_expires_at: lock.expiresAt });
      return holder && holder.id !== lock.id ? { acquired: true as const, broken: holder } : { acquired: true as const };
    });
  }

  async renew(guresid: string, id: string, expiresAt: Date) {
    const updated = await this.db('terraform_states').where({ guresid, lock_id: id }).update({ lock_expires_at: expiresAt });
    return updated > 0;
  }

  async unlock(guresid: string, id?: string) {
    const query = this.db('terraform_states').where({ guresid }).whereNotNull('lock_id');
    if (id) query.andWhere({ lock_id: id });
    const updated = await query.update({ lock_id: null, lock_info: null, lock_expires_at: null });
    return updated > 0;
  }

  async getLock(guresid: string) {
    const row = await this.db('terraform_states').where({ guresid }).first('lock_id', 'lock_info', 'lock_expires_at');
    if (!row?.lock_id) return undefined;
    return { id: row.lock_id, info: row.lock_info ?? '', expiresAt: new Date(row.lock_expires_at) };
  }

  async putLastRun(guresid: string, summary: TerraformRunSummary) {
    await this.db('terraform_states')
      .insert({ guresid, last_run: JSON.stringify(summary) })
      .onConflict('guresid')
      .merge(['last_run']);
  }

  async lastRuns(guresids: string[]) {
    const result = new Map<string, TerraformRunSummary>();
    for (let i = 0; i < guresids.length; i += 500) {
      const rows = await this.db('terraform_states')
        .whereIn('guresid', guresids.slice(i, i + 500))
        .whereNotNull('last_run')
        .select('guresid', 'last_run');
      for (const row of rows) result.set(row.guresid, JSON.parse(row.last_run));
    }
    return result;
  }
}
