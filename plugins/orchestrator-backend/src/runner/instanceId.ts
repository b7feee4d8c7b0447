import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';

/**
 * This backend's id, kept in its data folder so that after a crash the
 * restarted backend recognizes the deployment locks it held.
 *
 * @internal
 */
export function readInstanceId(dataDir: string): string {
  const file = path.join(dataDir, 'instance-id');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    const id = `${os.hostname()}-${randomUUID().slice(0, 8)}`;
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, id);
    return id;
  }
}
