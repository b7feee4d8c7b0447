import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { migratedClient } from './migrateDatabase';

/** The last commit the Git watcher handled, per repository and branch. @internal */
export interface GitWatchStateStore {
  lastCommit(repository: string, branch: string): Promise<string | undefined>;
  setLastCommit(repository: string, branch: string, commit: string): Promise<void>;
  /** Forgets the branch: its next commit seen is handled as new. */
  forget(repository: string, branch: string): Promise<void>;
}

/** @internal */
export class DatabaseGitWatchStateStore implements GitWatchStateStore {
  static async create(options: { database: DatabaseService }): Promise<DatabaseGitWatchStateStore> {
    return new DatabaseGitWatchStateStore(await migratedClient(options.database));
  }

  private constructor(private readonly db: Knex) {}

  async lastCommit(repository: string, branch: string) {
    const row = await this.db('git_watch_state').where({ repository, branch }).first();
    return row?.commit as string | undefined;
  }

  async setLastCommit(repository: string, branch: string, commit: string) {
    await this.db('git_watch_state').insert({ repository, branch, commit }).onConflict(['repository', 'branch']).merge();
  }

  async forget(repository: string, branch: string) {
    await this.db('git_watch_state').where({ repository, branch }).delete();
  }
}
