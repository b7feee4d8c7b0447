import { Knex } from 'knex';
import { Artifacts, DeploymentLogLine, DeploymentNodeRecord, DeploymentProgressStore, EncodedArtifacts } from './DeploymentStore';
import { artifactFromText, artifactToText } from './artifactText';
import { insertRows } from './insertRows';
import { orUndefined, toIso } from './rowValues';

/**
 * The knex implementation of {@link DeploymentProgressStore}: node status,
 * log lines and artifacts of deployments, on SQLite and PostgreSQL.
 *
 * @internal
 */
export class DatabaseDeploymentProgressStore implements DeploymentProgressStore {
  constructor(private readonly db: Knex) {}

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
    for (const key of ['plan', 'graph', 'diff', 'delivered', 'proposed'] as const) {
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
}
