import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { migratedClient } from './migrateDatabase';

/** One drifted thing: a resource (driver check) or a file in the GitOps repository. @internal */
export type DriftItem = {
  uid: string;
  kind: string;
  detail: string;
};

/** The last drift check of an environment. @internal */
export type DriftReport = {
  checkedAt: string;
  items: DriftItem[];
};

/** @internal */
export interface DriftReportStore {
  put(app: string, env: string, report: DriftReport): Promise<void>;
  /** The last report, or an empty one (`checkedAt: ''`) before the first check. */
  get(app: string, env: string): Promise<DriftReport>;
}

/** @internal */
export class DatabaseDriftReportStore implements DriftReportStore {
  static async create(options: { database: DatabaseService }): Promise<DatabaseDriftReportStore> {
    return new DatabaseDriftReportStore(await migratedClient(options.database));
  }

  private constructor(private readonly db: Knex) {}

  async put(app: string, env: string, report: DriftReport) {
    await this.db('drift_reports')
      .insert({ app_id: app, env_id: env, checked_at: new Date(report.checkedAt), items: JSON.stringify(report.items) })
      .onConflict(['app_id', 'env_id'])
      .merge();
  }

  async get(app: string, env: string): Promise<DriftReport> {
    const row = await this.db('drift_reports').where({ app_id: app, env_id: env }).first();
    if (!row) return { checkedAt: '', items: [] };
    return { checkedAt: new Date(row.checked_at).toISOString(), items: JSON.parse(row.items) };
  }
}
