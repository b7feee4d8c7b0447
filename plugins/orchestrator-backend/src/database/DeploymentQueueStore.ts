import { isDatabaseConflictError } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { Knex } from 'knex';
import { AbandonedDeployment, DeploymentQueueStore, DeploymentRecord, DeploymentStatus } from './DeploymentStore';
import { artifactFromText, artifactToText } from './artifactText';
import { orUndefined, toIso, toIsoOptional } from './rowValues';

function toDeployment(row: any): DeploymentRecord {
  return {
    id: row.id,
    appId: row.app_id,
    envId: row.env_id,
    setId: row.set_id,
    previousId: orUndefined(row.previous_id),
    status: row.status,
    createdBy: row.created_by,
    comment: orUndefined(row.comment),
    error: orUndefined(row.error),
    commit: orUndefined(row.commit),
    createdAt: toIso(row.created_at),
    startedAt: toIsoOptional(row.started_at),
    finishedAt: toIsoOptional(row.finished_at),
    decidedBy: orUndefined(row.decided_by),
    decidedAt: toIsoOptional(row.decided_at),
    decisionComment: orUndefined(row.decision_comment),
  };
}

/** How many stored, not yet read sets are kept in memory. */
const UNREAD_SETS_KEPT = 4;

type DeploymentPage = { items: DeploymentRecord[]; nextCursor?: string };

const DEPLOYMENT_COLUMNS = [
  'id', 'app_id', 'env_id', 'set_id', 'previous_id', 'status', 'created_by',
  'comment', 'error', 'commit', 'created_at', 'started_at', 'finished_at',
  'decided_by', 'decided_at', 'decision_comment',
];

/**
 * The knex implementation of {@link DeploymentQueueStore}, on SQLite and
 * PostgreSQL. The environment lock is a row whose primary key is the
 * environment: inserting it is the atomic "take the lock" across replicas.
 *
 * @internal
 */
export class DatabaseDeploymentQueueStore implements DeploymentQueueStore {
  /**
   * Sets this process stored and nobody has read yet. The runner that claims
   * the deployment, usually in this process a moment later, takes its set
   * from here: a big set is megabytes to read and parse in one step.
   */
  readonly #unreadSets = new Map<string, unknown>();

  constructor(private readonly db: Knex) {}

  async putSet(set: { id: string; appId: string; content: unknown }) {
    await this.db('deployment_sets')
      .insert({ id: set.id, app_id: set.appId, content: await artifactToText(set.content) })
      .onConflict('id')
      .ignore();
    this.#unreadSets.delete(set.id);
    this.#unreadSets.set(set.id, set.content);
    // Queued deployments of other environments wait their turn in the database, not here.
    for (const id of this.#unreadSets.keys()) {
      if (this.#unreadSets.size <= UNREAD_SETS_KEPT) break;
      this.#unreadSets.delete(id);
    }
  }

  async getSet(id: string) {
    const unread = this.#unreadSets.get(id);
    if (unread !== undefined) {
      this.#unreadSets.delete(id);
      return unread;
    }
    const row = await this.db('deployment_sets').where({ id }).first();
    return row ? artifactFromText(row.content) : undefined;
  }

  async createDeployment(d: {
    id: string;
    appId: string;
    envId: string;
    setId: string;
    createdBy: string;
    comment?: string;
    status?: 'queued' | 'awaiting-approval';
  }) {
    await this.db.transaction(async tx => {
      // Requests are numbered and timed in one order: on PostgreSQL, replicas
      // queue one at a time and take the time from the database's clock; on
      // SQLite the single connection already serializes them.
      const postgres = tx.client.config.client === 'pg';
      if (postgres) await tx.raw('LOCK TABLE deployment_queue IN SHARE ROW EXCLUSIVE MODE');
      await tx('deployments').insert({
        id: d.id,
        app_id: d.appId,
        env_id: d.envId,
        set_id: d.setId,
        status: d.status ?? 'queued',
        created_by: d.createdBy,
        comment: d.comment ?? null,
        created_at: postgres ? tx.raw('clock_timestamp()') : new Date(),
      });
      await tx('deployment_queue').insert({ deployment_id: d.id });
      // The queue hands out the order; the row keeps a copy for its (app, env, seq) index.
      await tx('deployments')
        .where({ id: d.id })
        .update({ seq: tx('deployment_queue').select('seq').where({ deployment_id: d.id }) });
    });
    return (await this.getDeployment(d.id))!;
  }

  async supersedeAwaitingApproval(appId: string, envId: string, newer: string) {
    return this.db.transaction(async tx => {
      const seq = tx('deployments').select('seq').where({ id: newer });
      const waiting = await tx('deployments')
        .where({ app_id: appId, env_id: envId, status: 'awaiting-approval' })
        .where('seq', '<', seq)
        .select('id');
      const ids = waiting.map((r: { id: string }) => r.id);
      if (ids.length === 0) return [];
      // Only those still waiting: one approved or rejected meanwhile keeps its decision.
      await tx('deployments').whereIn('id', ids).where({ status: 'awaiting-approval' }).update({
        status: 'cancelled',
        error: `Superseded by deployment ${newer}, requested later for the same environment`,
        finished_at: new Date(),
      });
      return ids;
    });
  }

  async decideApproval(id: string, decision: { status: 'queued' | 'rejected'; decidedBy: string; comment?: string }) {
    const now = new Date();
    const updated = await this.db('deployments')
      .where({ id, status: 'awaiting-approval' })
      .update({
        status: decision.status,
        decided_by: decision.decidedBy,
        decided_at: now,
        decision_comment: decision.comment ?? null,
        ...(decision.status === 'rejected' ? { finished_at: now } : {}),
      });
    return updated > 0;
  }

  async getDeployment(id: string) {
    const row = await this.db('deployments').select(DEPLOYMENT_COLUMNS).where({ id }).first();
    return row ? toDeployment(row) : undefined;
  }

  async listDeployments(appId: string, envId: string, page: { limit: number; cursor?: string }): Promise<DeploymentPage> {
    return this.pageBySeq(this.db('deployments').where({ app_id: appId, env_id: envId }), page);
  }

  async listAllDeployments(page: { status?: DeploymentStatus; limit: number; cursor?: string }): Promise<DeploymentPage> {
    const query = this.db('deployments');
    if (page.status) query.where({ status: page.status });
    return this.pageBySeq(query, page);
  }

  /** Newest first by request order; the cursor is the seq of the last item of the previous page. */
  private async pageBySeq(
    query: Knex.QueryBuilder,
    page: { limit: number; cursor?: string },
  ): Promise<DeploymentPage> {
    query
      .select([...DEPLOYMENT_COLUMNS, 'seq'])
      .orderBy('seq', 'desc')
      .limit(page.limit + 1);
    if (page.cursor) {
      const seq = Number(page.cursor);
      if (!Number.isSafeInteger(seq)) throw new InputError('cursor is not one this API gave out');
      query.where('seq', '<', seq);
    }
    const rows = await query;
    const items = rows.slice(0, page.limit);
    return {
      items: items.map(toDeployment),
      nextCursor: rows.length > page.limit ? String(items[items.length - 1].seq) : undefined,
    };
  }

  async getLastSucceeded(appId: string, envId: string) {
    const row = await this.db('deployments')
      .select(DEPLOYMENT_COLUMNS)
      .where({ app_id: appId, env_id: envId, status: 'succeeded' })
      .orderBy('seq', 'desc')
      .first();
    return row ? toDeployment(row) : undefined;
  }

  async claimNext(owner: string) {
    // Environments with queued work, the oldest request first.
    const candidates = await this.db('deployments as d')
      .leftJoin('environment_locks as l', function joinLocks() {
        this.on('l.app_id', 'd.app_id').andOn('l.env_id', 'd.env_id');
      })
      .whereNull('l.app_id')
      .where('d.status', 'queued')
      .select('d.app_id', 'd.env_id')
      .min({ seq: 'd.seq' })
      .groupBy('d.app_id', 'd.env_id')
      .orderBy('seq');

    for (const { app_id: appId, env_id: envId } of candidates as {
      app_id: string;
      env_id: string;
    }[]) {
      try {
        await this.db('environment_locks').insert({
          app_id: appId,
          env_id: envId,
          deployment_id: 'claiming',
          owner,
          renewed_at: new Date(),
        });
      } catch (error) {
        if (isDatabaseConflictError(error)) continue; // another replica got it
        throw error;
      }
      // We hold the environment: take its oldest queued deployment.
      const next = await this.db('deployments')
        .where({ app_id: appId, env_id: envId, status: 'queued' })
        .orderBy('seq')
        .select('id')
        .first();
      if (!next) {
        await this.db('environment_locks').where({ app_id: appId, env_id: envId, owner }).delete();
        continue;
      }
      await this.db.transaction(async tx => {
        await tx('environment_locks')
          .where({ app_id: appId, env_id: envId, owner })
          .update({ deployment_id: next.id });
        await tx('deployments')
          .where({ id: next.id, status: 'queued' })
          .update({ status: 'running', started_at: new Date() });
      });
      return this.getDeployment(next.id);
    }
    return undefined;
  }

  async renewLock(deploymentId: string, owner: string) {
    const updated = await this.db('environment_locks')
      .where({ deployment_id: deploymentId, owner })
      .update({ renewed_at: new Date() });
    return updated > 0;
  }

  async finishDeployment(
    id: string,
    owner: string,
    result: { status: 'succeeded' | 'failed' | 'cancelled'; error?: string; commit?: string; previousId?: string },
  ) {
    return this.db.transaction(async tx => {
      // Releasing the lock first tells whether this owner still held it.
      const released = await tx('environment_locks').where({ deployment_id: id, owner }).delete();
      if (!released) return false;
      const updated = await tx('deployments').where({ id, status: 'running' }).update({
        status: result.status,
        error: result.error ?? null,
        commit: result.commit ?? null,
        previous_id: result.previousId ?? null,
        finished_at: new Date(),
      });
      return updated > 0;
    });
  }

  async takeOverAbandoned(options: { owner?: string; staleAfterMs: number; alive?: string[]; maxInterruptions: number }) {
    const staleBefore = new Date(Date.now() - options.staleAfterMs);
    const locks = await this.db('environment_locks')
      .where(q => {
        q.where('renewed_at', '<', staleBefore);
        if (options.owner) q.orWhere('owner', options.owner);
      })
      .whereNotIn('deployment_id', options.alive ?? [])
      .select('deployment_id', 'app_id', 'env_id', 'owner');
    const taken: AbandonedDeployment[] = [];
    for (const lock of locks) {
      await this.db.transaction(async tx => {
        // Only the lock still as it was read: another replica may have taken it over first.
        const released = await tx('environment_locks')
          .where({ app_id: lock.app_id, env_id: lock.env_id, deployment_id: lock.deployment_id, owner: lock.owner })
          .delete();
        if (!released) return;
        const row = await tx('deployments').where({ id: lock.deployment_id, status: 'running' }).select('interruptions').first();
        if (!row) return;
        const interruptions = Number(row.interruptions) + 1;
        if (interruptions >= options.maxInterruptions) {
          await tx('deployments').where({ id: lock.deployment_id }).update({
            status: 'failed',
            interruptions,
            error: `The backends running this deployment stopped before it finished, ${interruptions} times`,
            finished_at: new Date(),
          });
          await tx('deployment_nodes')
            .where({ deployment_id: lock.deployment_id })
            .whereIn('status', ['pending', 'running'])
            .update({ status: 'skipped', message: 'interrupted' });
          taken.push({ id: lock.deployment_id, owner: lock.owner, outcome: 'failed', interruptions });
        } else {
          // Back to the queue with its place: it is its environment's oldest, so it runs next.
          await tx('deployments').where({ id: lock.deployment_id }).update({ status: 'queued', interruptions, started_at: null });
          taken.push({ id: lock.deployment_id, owner: lock.owner, outcome: 'queued', interruptions });
        }
      });
    }
    // Running without any lock (the lock row vanished): nobody can be running it.
    const orphans = await this.db('deployments as d')
      .leftJoin('environment_locks as l', 'l.deployment_id', 'd.id')
      .whereNull('l.deployment_id')
      .where('d.status', 'running')
      .whereNotIn('d.id', options.alive ?? [])
      .select('d.id', 'd.interruptions');
    for (const { id, interruptions } of orphans) {
      const updated = await this.db('deployments').where({ id, status: 'running' }).update({ status: 'queued', started_at: null, interruptions: Number(interruptions) + 1 });
      if (updated) taken.push({ id, owner: undefined, outcome: 'queued', interruptions: Number(interruptions) + 1 });
    }
    return taken;
  }

  async handBack(deploymentId: string, owner: string) {
    return this.db.transaction(async tx => {
      const released = await tx('environment_locks').where({ deployment_id: deploymentId, owner }).delete();
      if (!released) return false;
      const updated = await tx('deployments').where({ id: deploymentId, status: 'running' }).update({ status: 'queued', started_at: null });
      return updated > 0;
    });
  }
}
