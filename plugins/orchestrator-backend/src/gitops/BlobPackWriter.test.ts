import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { temporaryFolder } from '../__testUtils__/temporaryFolder';
import { BlobPackWriter } from './BlobPackWriter';
import { PackObject } from './packfile';

// Every test starts a worker that loads the TypeScript sources: seconds on a busy machine.
jest.setTimeout(30_000);

function blobs(n: number, tag: string, padding = 0): PackObject[] {
  return Array.from({ length: n }, (_, i) => {
    const body = Buffer.from(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${tag}-${i}\ndata:\n  value: "${'x'.repeat(i + padding)}"\n`);
    return { oid: createHash('sha1').update(`blob ${body.length}\0`).update(body).digest('hex'), body };
  });
}

function repository(): string {
  const gitdir = path.join(temporaryFolder('baton-pack-'), 'repo.git');
  execFileSync('git', ['init', '--bare', '--quiet', gitdir]);
  return gitdir;
}

/** Each object as Git itself reads it from the repository (one `git cat-file --batch` for all). */
function expectStored(gitdir: string, objects: PackObject[]) {
  const out = execFileSync('git', ['--git-dir', gitdir, 'cat-file', '--batch'], {
    input: objects.map(o => `${o.oid}\n`).join(''),
    maxBuffer: 64 * 1024 * 1024,
  });
  let offset = 0;
  for (const { oid, body } of objects) {
    const headerEnd = out.indexOf(10, offset);
    expect(out.subarray(offset, headerEnd).toString()).toBe(`${oid} blob ${body.length}`);
    // As text, byte for byte: toEqual compares buffers a byte at a time, seconds for megabytes.
    expect(out.subarray(headerEnd + 1, headerEnd + 1 + body.length).toString('latin1')).toBe(body.toString('latin1'));
    offset = headerEnd + 1 + body.length + 1;
  }
  execFileSync('git', ['--git-dir', gitdir, 'fsck', '--no-dangling', '--strict'], { stdio: 'pipe' });
}

describe('BlobPackWriter', () => {
  it('writes packs in its worker that Git reads back, one after another', async () => {
    const writer = new BlobPackWriter();
    expect(await writer.start()).toBe(true);
    const gitdir = repository();
    const first = blobs(300, 'first');
    // 2.5 MB: handed to the worker in several batches.
    const second = blobs(100, 'second', 25_000);
    await writer.write(gitdir, first);
    await writer.write(gitdir, second);
    expect(fs.readdirSync(path.join(gitdir, 'objects', 'pack')).filter(f => f.endsWith('.idx'))).toHaveLength(2);
    expectStored(gitdir, [...first, ...second]);
    // The callers' bytes are still theirs after the hand-over.
    expect(first[7].body.toString()).toContain('name: first-7');
    // Loading the worker from the TypeScript sources takes seconds under a loaded CI.
  }, 60_000);

  it('writes no pack for no objects', async () => {
    const writer = new BlobPackWriter();
    expect(await writer.start()).toBe(true);
    const gitdir = repository();
    await writer.write(gitdir, []);
    expect(fs.existsSync(path.join(gitdir, 'objects', 'pack')) ? fs.readdirSync(path.join(gitdir, 'objects', 'pack')) : []).toEqual([]);
  }, 60_000);

  it('writes the pack in this thread when the worker cannot start', async () => {
    const writer = new BlobPackWriter(path.join(temporaryFolder('baton-pack-'), 'missing.js'));
    expect(await writer.start()).toBe(false);
    const gitdir = repository();
    const objects = blobs(80, 'here');
    await writer.write(gitdir, objects);
    expectStored(gitdir, objects);
  });

  it('writes the pack in this thread when the worker stops while writing it', async () => {
    const script = path.join(temporaryFolder('baton-pack-'), 'dies.js');
    fs.writeFileSync(
      script,
      `const { parentPort } = require('node:worker_threads');
      parentPort.on('message', () => process.exit(3));
      parentPort.postMessage({ ready: true });`,
    );
    const writer = new BlobPackWriter(script);
    expect(await writer.start()).toBe(true);
    const gitdir = repository();
    const objects = blobs(80, 'after');
    await writer.write(gitdir, objects);
    expectStored(gitdir, objects);
  });

  it('reports a pack it cannot write', async () => {
    const writer = new BlobPackWriter();
    expect(await writer.start()).toBe(true);
    const notARepository = path.join(temporaryFolder('baton-pack-'), 'file');
    fs.writeFileSync(notARepository, '');
    await expect(writer.write(notARepository, blobs(70, 'nowhere'))).rejects.toThrow(/ENOTDIR|EEXIST/);
  });
});
