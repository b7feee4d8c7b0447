import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as engine from './index';
import { orchestratorClusterExtensionPoint, orchestratorDriversExtensionPoint } from './extensions';

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map(e => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : [path.join(dir, e.name)])),
  );
  return files.flat().filter(f => /\.ts$/.test(f) && !/\.test\.ts$/.test(f));
}

describe('entry points', () => {
  it('offers the extension points under /extensions, with the ids the backend registers', () => {
    expect(orchestratorDriversExtensionPoint.id).toBe('orchestrator.drivers');
    expect(orchestratorClusterExtensionPoint.id).toBe('orchestrator.cluster');
    expect(Object.keys(engine)).not.toContain('orchestratorDriversExtensionPoint');
  });

  it('keeps the engine free of Backstage imports; only the extensions entry point has them', async () => {
    const withBackstage = [];
    for (const file of await sourceFiles(__dirname)) {
      if (/from '@backstage\//.test(await fs.readFile(file, 'utf8'))) {
        withBackstage.push(path.relative(__dirname, file));
      }
    }
    expect(withBackstage).toEqual(['extensions.ts']);
  });
});
