import { TimeSlices } from '@baton/backstage-plugin-orchestrator-node';

/**
 * Runs one statement per chunk of `items`, in time slices: with SQLite each
 * statement runs synchronously in the backend's thread, so a transaction of
 * thousands of rows would otherwise hold every other request until it ends.
 *
 * @internal
 */
export async function inChunks<T>(items: T[], size: number, statement: (chunk: T[]) => Promise<unknown>) {
  const slices = new TimeSlices();
  for (let i = 0; i < items.length; i += size) {
    await slices.pause();
    await statement(items.slice(i, i + size));
  }
}
