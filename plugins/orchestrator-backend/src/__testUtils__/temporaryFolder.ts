import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const folders: string[] = [];

// Registered when a test file imports this module: its folders go once its tests are done.
afterAll(() => {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

/** A new folder under the system's temporary folder, removed after the test file's tests. */
export function temporaryFolder(prefix: string): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  folders.push(folder);
  return folder;
}
