import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gitFileSystem } from './gitFileSystem';

describe('gitFileSystem', () => {
  it('finishes each small-file call before the event loop turns, as Git needs for a commit', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-gitfs-'));
    let turned = false;
    setImmediate(() => (turned = true));
    const fsp = gitFileSystem.promises;
    await fsp.mkdir(path.join(dir, 'objects', 'ab'), { recursive: true });
    await fsp.writeFile(path.join(dir, 'objects', 'ab', 'cdef'), Buffer.from('object'));
    await fsp.writeFile(path.join(dir, 'HEAD'), 'ref: refs/heads/main\n', 'utf8');
    const head = await fsp.readFile(path.join(dir, 'HEAD'), 'utf8');
    const stat = await fsp.stat(path.join(dir, 'objects', 'ab', 'cdef'));
    const entries = await fsp.readdir(path.join(dir, 'objects', 'ab'));
    await fsp.rename(path.join(dir, 'HEAD'), path.join(dir, 'ORIG_HEAD'));
    await fsp.unlink(path.join(dir, 'ORIG_HEAD'));
    await expect(fsp.lstat(path.join(dir, 'HEAD'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(turned).toBe(false);

    expect(head).toBe('ref: refs/heads/main\n');
    expect(stat.size).toBe(6);
    // Written whole: no temporary file is left beside it.
    expect(entries).toEqual(['cdef']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
