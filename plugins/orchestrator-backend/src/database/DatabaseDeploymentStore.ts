import { DatabaseService, isDatabaseConflictError } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { TimeSlices } from '@baton/backstage-plugin-orchestrator-node';
import { Knex } from 'knex';
import {
  AbandonedDeployment,
  ActiveResourceRecord,
  Artifacts,
  EncodedArtifacts,
  DeploymentLogLine,
  DeploymentNodeRecord,
  DeploymentRecord,
  DeploymentStatus,
  DeploymentStore,
} from './DeploymentStore';
import { artifactFromText, artifactToText } from './artifactText';
import { insertRows } from './insertRows';
import { migratedClient } from './migrateDatabase';
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
  };
}

function toResource(row: any): ActiveResourceRecord {
  return {
    appId: row.app_id,
    envId: row.env_id,
    uid: row.uid,
    resId: row.res_id,
    type: row.type,
    class: row.class,
    guresid: row.guresid,
    definitionId: row.definition_id,
    definitionRevision: Number(row.definition_revision),
    status: row.status,
    outputs: JSON.parse(row.outputs),
    secretOutputs: orUndefined(row.secret_outputs),
    secretOutputNames: row.secret_output_names ? JSON.parse(row.secret_output_names) : undefined,
    cookie: orUndefined(row.cookie),
    provisionedWith: orUndefined(row.provisioned_with),
    deploymentId: orUndefined(row.deployment_id),
    workloads: row.workloads ? JSON.parse(row.workloads) : undefined,
    updatedAt: toIso(row.updated_at),
  };
}

/** What listings across environments read: all but the drivers' state, the biggest columns. */
const LISTED_RESOURCE_COLUMNS = [
  'app_id', 'env_id', 'uid', 'res_id', 'type', 'class', 'guresid', 'definition_id', 'definition_revision',
  'status', 'outputs', 'secret_outputs', 'secret_output_names', 'deployment_id', 'workloads', 'updated_at',
];

/** Resources read by one query when a whole environment's are listed. */
const RESOURCE_PAGE = 2000;

/** How many stored, not yet read sets are kept in memory. */
const UNREAD_SETS_KEPT = 4;

type DeploymentPage = { items: DeploymentRecord[]; nextCursor?: string };

const DEPLOYMENT_COLUMNS = [
  'id', 'app_id', 'env_id', 'set_id', 'previous_id', 'status', 'created_by',
  'comment', 'error', 'commit', 'created_at', 'started_at', 'finished_at',
];

/**
 * The knex implementation of {@link DeploymentStore}, on SQLite and
 * PostgreSQL. The environment lock is a row whose primary key is the
 * environment: inserting it is the atomic "take the lock" across replicas.
 *
 * @internal
 */
export class DatabaseDeploymentStore implements DeploymentStore {
  static async create(options: { database: DatabaseService }): Promise<DatabaseDeploymentStore> {
    return new DatabaseDeploymentStore(await migratedClient(options.database));
  }

  /**
   * Sets this process stored and nobody has read yet. The runner that claims
   * the deployment, usually in this process a moment later, takes its set
   * from here: a big set is megabytes to read and parse in one step.
   */
  readonly #unreadSets = new Map<string, unknown>();

  private constructor(private readonly db: Knex) {}

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
        status: 'queued',
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

  async getArtifacts<K extends keyof Artifacts>(id: string, keys: K[]): Promise<Pick<Artifacts, K>> {
    const row = await this.db('deployment_artifacts').select(keys).where({ deployment_id: id }).first();
    const artifacts: Pick<Artifacts, K> = {} as Pick<Artifacts, K>;
    if (row) {
      for (const key of keys) artifacts[key] = (await artifactFromText(row[key])) as Artifacts[K];
    }
    return artifacts;
  }

  async setArtifacts(id: string, artifacts: Artifacts) {
    await this.setEncodedArtifacts(id, await this.encodeArtifacts(artifacts));
  }

  async encodeArtifacts(artifacts: Artifacts): Promise<EncodedArtifacts> {
    const texts: EncodedArtifacts['texts'] = {};
    for (const key of ['plan', 'graph', 'diff', 'delivered'] as const) {
      if (artifacts[key] !== undefined) texts[key] = await artifactToText(artifacts[key]);
    }
    return { texts };
  }

  async setEncodedArtifacts(id: string, { texts }: EncodedArtifacts) {
    const update = { ...texts };
    if (Object.keys(update).length) {
      await this.db('deployment_artifacts')
        .insert({ deployment_id: id, ...update })
        .onConflict('deployment_id')
        .merge(Object.keys(update));
    }
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

  async setNodes(deploymentId: string, nodes: DeploymentNodeRecord[]) {
    await this.db.transaction(async tx => {
      await tx('deployment_nodes').where({ deployment_id: deploymentId }).delete();
      await insertRows(
        tx,
        'deployment_nodes',
        nodes.map(n => ({ deployment_id: deploymentId, uid: n.uid, status: n.status, message: n.message ?? null })),
        { sqliteRows: 200 },
      );
    });
  }

  async recordProgress(
    deploymentId: string,
    progress: { nodes: DeploymentNodeRecord[]; log: { level: DeploymentLogLine['level']; uid?: string; message: string }[] },
  ) {
    if (!progress.nodes.length && !progress.log.length) return;
    await this.db.transaction(async tx => {
      // Every node of the deployment has its row (setNodes): an upsert per chunk updates many in one statement.
      await insertRows(
        tx,
        'deployment_nodes',
        progress.nodes.map(n => ({ deployment_id: deploymentId, uid: n.uid, status: n.status, message: n.message ?? null })),
        { conflict: ['deployment_id', 'uid'], sqliteRows: 200 },
      );
      const now = new Date();
      await insertRows(
        tx,
        'deployment_logs',
        progress.log.map(line => ({ deployment_id: deploymentId, level: line.level, uid: line.uid ?? null, message: line.message, created_at: now })),
        { sqliteRows: 200 },
      );
    });
  }

  async listNodes(deploymentId: string) {
    const rows = await this.db('deployment_nodes').where({ deployment_id: deploymentId }).orderBy('uid');
    return rows.map(r => ({ uid: r.uid, status: r.status, message: orUndefined(r.message) }));
  }

  async countNodes(deploymentId: string) {
    const rows = await this.db('deployment_nodes').where({ deployment_id: deploymentId }).groupBy('status').select('status').count({ n: '*' });
    return Object.fromEntries((rows as { status: string; n: string | number }[]).map(r => [r.status, Number(r.n)]));
  }

  async appendLog(deploymentId: string, line: { level: DeploymentLogLine['level']; uid?: string; message: string }) {
    await this.db('deployment_logs').insert({
      deployment_id: deploymentId,
      level: line.level,
      uid: line.uid ?? null,
      message: line.message,
      created_at: new Date(),
    });
  }

  async readLog(deploymentId: string, after?: number) {
    const query = this.db('deployment_logs').where({ deployment_id: deploymentId }).orderBy('id');
    if (after !== undefined) query.where('id', '>', after);
    const rows = await query;
    return rows.map(r => ({
      id: Number(r.id),
      createdAt: toIso(r.created_at),
      level: r.level,
      uid: orUndefined(r.uid),
      message: r.message,
    }));
  }

  async listResources(appId: string, envId: string) {
    // Read in pages and converted in time slices: a big app has tens of
    // thousands of resources, and SQLite reads synchronously.
    const resources: ActiveResourceRecord[] = [];
    const slices = new TimeSlices();
    for (let after: string | undefined; ; ) {
      const query = this.db('active_resources').where({ app_id: appId, env_id: envId }).orderBy('uid').limit(RESOURCE_PAGE);
      if (after !== undefined) query.where('uid', '>', after);
      const rows = await query;
      for (const row of rows) {
        await slices.pause();
        resources.push(toResource(row));
      }
      if (rows.length < RESOURCE_PAGE) return resources;
      after = rows[rows.length - 1].uid;
    }
  }

  async listAllResources(page: {
    limit: number;
    cursor?: string;
    types?: string[];
    status?: ActiveResourceRecord['status'];
    app?: string;
    env?: string;
  }) {
    const query = this.db('active_resources')
      .select(LISTED_RESOURCE_COLUMNS)
      .orderBy([{ column: 'app_id' }, { column: 'env_id' }, { column: 'uid' }])
      .limit(page.limit + 1);
    if (page.app) query.where({ app_id: page.app });
    if (page.env) query.where({ env_id: page.env });
    if (page.types) query.whereIn('type', page.types);
    if (page.status) query.where({ status: page.status });
    if (page.cursor) {
      const [appId, envId, uid] = decodeResourceCursor(page.cursor);
      query.where(q =>
        q
          .where('app_id', '>', appId)
          .orWhere(q2 => q2.where('app_id', appId).andWhere('env_id', '>', envId))
          .orWhere(q3 => q3.where({ app_id: appId, env_id: envId }).andWhere('uid', '>', uid)),
      );
    }
    const rows = await query;
    const items = rows.slice(0, page.limit).map(toResource);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor:
        rows.length > page.limit
          ? Buffer.from(JSON.stringify([last.appId, last.envId, last.uid])).toString('base64url')
          : undefined,
    };
  }

  async getResource(appId: string, envId: string, uid: string) {
    const row = await this.db('active_resources').where({ app_id: appId, env_id: envId, uid }).first();
    return row ? toResource(row) : undefined;
  }

  async putDefinitionSnapshots(snapshots: { digest: string; definition: string }[]) {
    if (!snapshots.length) return;
    await this.db('definition_snapshots').insert(snapshots).onConflict('digest').ignore();
  }

  async getDefinitionSnapshots(digests: string[]) {
    const found = new Map<string, string>();
    for (let i = 0; i < digests.length; i += 500) {
      const rows = await this.db('definition_snapshots').whereIn('digest', digests.slice(i, i + 500)).select('digest', 'definition');
      for (const row of rows) found.set(row.digest, row.definition);
    }
    return found;
  }

  async putResources(resources: Omit<ActiveResourceRecord, 'updatedAt'>[]) {
    if (!resources.length) return;
    const now = new Date();
    // Thousands of rows with their JSON: in time slices.
    const slices = new TimeSlices();
    const rows: Record<string, unknown>[] = [];
    for (const r of resources) {
      await slices.pause();
      rows.push({
        app_id: r.appId,
        env_id: r.envId,
        uid: r.uid,
        res_id: r.resId,
        type: r.type,
        class: r.class,
        guresid: r.guresid,
        definition_id: r.definitionId,
        definition_revision: r.definitionRevision,
        status: r.status,
        outputs: JSON.stringify(r.outputs),
        secret_outputs: r.secretOutputs ?? null,
        secret_output_names: r.secretOutputNames ? JSON.stringify(r.secretOutputNames) : null,
        cookie: r.cookie ?? null,
        provisioned_with: r.provisionedWith ?? null,
        deployment_id: r.deploymentId ?? null,
        workloads: r.workloads ? JSON.stringify(r.workloads) : null,
        updated_at: now,
      });
    }
    // A transaction per thousand rows (each row an upsert, so a part written
    // stands on its own): SQLite checkpoints its write-ahead log when a
    // transaction commits, in the committing thread, and one transaction of
    // tens of thousands of rows made that one long pause. Chunks keep each
    // statement under SQLite's bound-parameter limit.
    for (let i = 0; i < rows.length; i += 1000) {
      await this.db.transaction(async tx => {
        await insertRows(tx, 'active_resources', rows.slice(i, i + 1000), { conflict: ['app_id', 'env_id', 'uid'], sqliteRows: 100 });
      });
    }
  }

  async setResourceStatus(appId: string, envId: string, uid: string, status: ActiveResourceRecord['status']) {
    await this.db('active_resources')
      .where({ app_id: appId, env_id: envId, uid })
      .update({ status, updated_at: new Date() });
  }

  async setResourceStatuses(appId: string, envId: string, uids: string[], status: ActiveResourceRecord['status']) {
    if (!uids.length) return;
    await this.db.transaction(async tx => {
      for (let i = 0; i < uids.length; i += 500) {
        await tx('active_resources')
          .where({ app_id: appId, env_id: envId })
          .whereIn('uid', uids.slice(i, i + 500))
          .update({ status, updated_at: new Date() });
      }
    });
  }

  async deleteResource(appId: string, envId: string, uid: string) {
    await this.db('active_resources').where({ app_id: appId, env_id: envId, uid }).delete();
  }
}

/** The (app, env, uid) a `listAllResources` cursor points after; anything else is bad input. */
function decodeResourceCursor(cursor: string): [string, string, string] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== 3 || !key.every(part => typeof part === 'string')) {
    throw new InputError('cursor is not one this API gave out');
  }
  return key as [string, string, string];
}
