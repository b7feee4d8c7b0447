import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { TeardownReason } from './OrchestratorStore';
import { migratedClient } from './migrateDatabase';

/** An environment being torn down, and by whom. @internal */
export type TeardownRecord = { app: string; env: string; reason: TeardownReason; owner?: string };

/** An environment whose expiry nears. @internal */
export type ExpiringRecord = { app: string; env: string; ttl: string; expiresAt: string; preview?: string };

/**
 * The SQL of environments' lives: expiry, teardown claims (a conditional
 * update, so that one backend of several sharing the database tears an
 * environment down) and previews.
 *
 * @internal
 */
export class EnvironmentLifecycleStore {
  static async create(options: { database: DatabaseService }): Promise<EnvironmentLifecycleStore> {
    return new EnvironmentLifecycleStore(await migratedClient(options.database));
  }

  private constructor(private readonly db: Knex) {}

  /** Marks an environment for teardown; false if it is gone or already marked (the first reason stays). */
  async markTeardown(app: string, env: string, reason: TeardownReason): Promise<boolean> {
    const updated = await this.db('environments').where({ app_id: app, id: env }).whereNull('teardown_reason').update({ teardown_reason: reason });
    return updated > 0;
  }

  /**
   * Marks every environment of an app for teardown with the app (`app-deleted`),
   * also those already going for another reason: whichever ends last deletes the app.
   */
  async markAppTeardown(app: string): Promise<void> {
    await this.db('environments').where({ app_id: app }).update({ teardown_reason: 'app-deleted' });
  }

  /** Marks every environment whose expiry passed for teardown; how many. */
  async markExpired(now: Date): Promise<number> {
    return this.db('environments').whereNotNull('expires_at').where('expires_at', '<=', now).whereNull('teardown_reason').update({ teardown_reason: 'expired' });
  }

  async listTeardowns(): Promise<TeardownRecord[]> {
    const rows = await this.db('environments').whereNotNull('teardown_reason').select('app_id', 'id', 'teardown_reason', 'teardown_by').orderBy(['app_id', 'id']);
    return rows.map(row => ({ app: row.app_id, env: row.id, reason: row.teardown_reason, ...(row.teardown_by ? { owner: row.teardown_by } : {}) }));
  }

  /**
   * Claims a marked environment's teardown for `owner`: unclaimed, already
   * its own (a restarted backend resumes), or left by a backend that has not
   * said it is working on it since `staleBefore`.
   */
  async claimTeardown(app: string, env: string, owner: string, staleBefore: Date): Promise<boolean> {
    const updated = await this.db('environments')
      .where({ app_id: app, id: env })
      .whereNotNull('teardown_reason')
      .where(q => q.whereNull('teardown_by').orWhere('teardown_by', owner).orWhere('teardown_heartbeat', '<', staleBefore))
      .update({ teardown_by: owner, teardown_heartbeat: new Date() });
    return updated > 0;
  }

  /** Says the owner still works on it; false once another backend took it over. */
  async renewTeardown(app: string, env: string, owner: string): Promise<boolean> {
    return (await this.db('environments').where({ app_id: app, id: env, teardown_by: owner }).update({ teardown_heartbeat: new Date() })) > 0;
  }

  /** Deletes the environment the owner tore down; false if another backend took it over. */
  async finishTeardown(app: string, env: string, owner: string): Promise<boolean> {
    return (await this.db('environments').where({ app_id: app, id: env, teardown_by: owner }).delete()) > 0;
  }

  /** Cancels the environment's deployments awaiting approval: approved later, they would deploy to nothing. */
  async cancelAwaitingApproval(app: string, env: string, reason: string): Promise<number> {
    return this.db('deployments')
      .where({ app_id: app, env_id: env, status: 'awaiting-approval' })
      .update({ status: 'cancelled', error: reason, finished_at: new Date() });
  }

  /** Environments expiring before `before` whose expiry was not yet announced. */
  async listUnannouncedExpiring(before: Date): Promise<ExpiringRecord[]> {
    const rows = await this.db('environments')
      .whereNotNull('expires_at')
      .where('expires_at', '<=', before)
      .whereNull('expiring_at')
      .whereNull('teardown_reason')
      .select('app_id', 'id', 'ttl', 'expires_at', 'preview_source');
    return rows.map(row => ({
      app: row.app_id,
      env: row.id,
      ttl: row.ttl,
      expiresAt: new Date(row.expires_at).toISOString(),
      ...(row.preview_source ? { preview: row.preview_source } : {}),
    }));
  }

  /** Records that the expiry is announced; true for the one backend that records it first. */
  async markAnnounced(app: string, env: string): Promise<boolean> {
    return (await this.db('environments').where({ app_id: app, id: env }).whereNull('expiring_at').update({ expiring_at: new Date() })) > 0;
  }
}
