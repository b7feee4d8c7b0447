import { TestDatabaseId } from '@backstage/backend-test-utils';

/**
 * Engines the database tests run on: SQLite always, PostgreSQL when a server
 * is given (scripts/test points BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
 * at 127.0.0.1:5432 by default). Never a Docker container.
 */
export const testDatabaseIds: TestDatabaseId[] = process.env
  .BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
  ? ['SQLITE_3', 'POSTGRES_15']
  : ['SQLITE_3'];
