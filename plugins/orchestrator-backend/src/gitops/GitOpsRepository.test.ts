import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { GitOpsRepository } from './GitOpsRepository';
import { changedFiles } from '../__testUtils__/changedFiles';

// Pushes, fetches and packs go through child processes and the disk: seconds on a busy machine.
jest.setTimeout(30_000);

describe('GitOpsRepository commits', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-gitops-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('commits an app folder, replaces it on the next commit and skips no-op commits', async () => {
    const repo = await GitOpsRepository.open({ dir: path.join(dir, 'repo') });
    const first = await repo.commitAppState({
      app: 'shop',
      env: 'dev',
      files: { 'web.yaml': 'kind: Deployment\n', 'old.yaml': 'kind: Service\n' },
      extraFiles: { 'argocd/dev-shop.yaml': 'kind: Application\n' },
      message: 'Deploy shop to dev (deployment d1)',
    });
    expect(first).toMatch(/^[0-9a-f]{40}$/);

    const second = await repo.commitAppState({
      app: 'shop',
      env: 'dev',
      files: { 'web.yaml': 'kind: Deployment\nspec: {}\n' },
      message: 'Deploy shop to dev (deployment d2)',
    });
    expect(second).toMatch(/^[0-9a-f]{40}$/);
    expect(await repo.readAppState('shop', 'dev')).toEqual({
      'web.yaml': 'kind: Deployment\nspec: {}\n',
    });

    const again = await repo.commitAppState({
      app: 'shop',
      env: 'dev',
      files: { 'web.yaml': 'kind: Deployment\nspec: {}\n' },
      message: 'no change',
    });
    expect(again).toBeUndefined();
    expect((await repo.log()).map(c => c.message.trim())).toEqual([
      'Deploy shop to dev (deployment d2)',
      'Deploy shop to dev (deployment d1)',
    ]);
  });

  it('writes trees in Git\'s order, folders as if their names ended in a slash, non-ASCII names by their bytes', async () => {
    const repo = await GitOpsRepository.open({ dir });
    const names = ['a.yaml', 'a-b.yaml', 'a/x.yaml', 'a0.yaml', 'B.yaml', 'z.yaml', 'ü.yaml', 'ä/x.yaml', '\uff5e.yaml', '\u{1f600}.yaml'];
    const ascii = Object.fromEntries(names.slice(0, 6).map(n => [n, `${n}\n`]));
    const all = Object.fromEntries(names.map(n => [n, `${n}\n`]));
    await repo.commitAppState({ app: 'ascii', env: 'dev', files: ascii, message: 'ascii names' });
    await repo.commitAppState({ app: 'unicode', env: 'dev', files: all, message: 'unicode names' });
    // fsck --strict rejects a tree whose entries are out of order.
    execFileSync('git', ['--git-dir', dir, 'fsck', '--full', '--strict'], { stdio: 'pipe' });
    expect(await repo.readAppState('unicode', 'dev')).toEqual(all);
    expect(execFileSync('git', ['--git-dir', dir, 'ls-tree', '--name-only', '-z', 'main:dev/ascii']).toString().split('\0').filter(Boolean)).toEqual([
      'B.yaml', 'a-b.yaml', 'a.yaml', 'a', 'a0.yaml', 'z.yaml',
    ]);
  });

  it('commits a small change within a few turns of the event loop, however long the turns are', async () => {
    const repo = await GitOpsRepository.open({ dir });
    await repo.commitAppState({ app: 'shop', env: 'dev', files: { 'web.yaml': 'kind: Deployment\n' }, message: 'first' });
    // While a big deployment runs, every turn of the event loop carries a 5 ms slice of its work.
    let turns = 0;
    let counting = true;
    const slice = () => {
      if (!counting) return;
      turns++;
      for (const end = performance.now() + 5; performance.now() < end; );
      setImmediate(slice);
    };
    setImmediate(slice);
    await repo.commitAppState({ app: 'shop', env: 'prod', files: { 'web.yaml': 'kind: Deployment\n' }, message: 'second' });
    counting = false;
    // Hashing still waits for the thread pool a few times (4 turns here); with a turn for each
    // file-system call it took 41.
    expect(turns).toBeLessThan(20);
    expect(execFileSync('git', ['--git-dir', dir, 'show', 'main:prod/shop/web.yaml']).toString()).toBe('kind: Deployment\n');
  });

  it('stores a deployment of many files as one pack that Git and a restarted backend read back', async () => {
    const repo = await GitOpsRepository.open({ dir });
    const files = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`svc-${i}.yaml`, `kind: Deployment\nname: svc-${i}\n`]));
    await repo.commitAppState({ app: 'shop', env: 'dev', files, message: 'big' });
    // The next deployment changes one file and reuses the other blobs.
    await repo.commitAppState({ app: 'shop', env: 'dev', files: { ...files, 'svc-7.yaml': 'kind: Deployment\nname: changed\n' }, message: 'one changed' });

    expect(fs.readdirSync(path.join(dir, 'objects', 'pack')).filter(f => f.endsWith('.pack'))).toHaveLength(1);
    execFileSync('git', ['--git-dir', dir, 'fsck', '--full', '--strict'], { stdio: 'pipe' });
    expect(execFileSync('git', ['--git-dir', dir, 'show', 'main:dev/shop/svc-123.yaml']).toString()).toBe('kind: Deployment\nname: svc-123\n');
    expect(execFileSync('git', ['--git-dir', dir, 'show', 'main:dev/shop/svc-7.yaml']).toString()).toBe('kind: Deployment\nname: changed\n');
    const restarted = await GitOpsRepository.open({ dir });
    expect(await restarted.readAppState('shop', 'dev')).toEqual({ ...files, 'svc-7.yaml': 'kind: Deployment\nname: changed\n' });
  });

  it('writes a pack of more than a megabyte in parts that Git reads as one', async () => {
    const repo = await GitOpsRepository.open({ dir });
    // Random hex compresses to about half: some 1.3 MB of pack, written in two parts.
    const files = Object.fromEntries(Array.from({ length: 160 }, (_, i) => [`svc-${i}.yaml`, `data: ${randomBytes(8192).toString('hex')}\n`]));
    await repo.commitAppState({ app: 'shop', env: 'dev', files, message: 'big files' });

    const packs = fs.readdirSync(path.join(dir, 'objects', 'pack')).filter(f => f.endsWith('.pack'));
    expect(packs).toHaveLength(1);
    expect(fs.statSync(path.join(dir, 'objects', 'pack', packs[0])).size).toBeGreaterThan(1024 * 1024);
    execFileSync('git', ['--git-dir', dir, 'fsck', '--full', '--strict'], { stdio: 'pipe' });
    expect(execFileSync('git', ['--git-dir', dir, 'show', 'main:dev/shop/svc-159.yaml']).toString()).toBe(files['svc-159.yaml']);
    expect(await (await GitOpsRepository.open({ dir })).readAppState('shop', 'dev')).toEqual(files);
  }, 30_000);

  it('keeps other apps and environments untouched', async () => {
    const repo = await GitOpsRepository.open({ dir });
    await repo.commitAppState({ app: 'a', env: 'dev', files: { 'x.yaml': 'a' }, message: 'a' });
    await repo.commitAppState({ app: 'b', env: 'dev', files: { 'x.yaml': 'b' }, message: 'b' });
    expect(await repo.readAppState('a', 'dev')).toEqual({ 'x.yaml': 'a' });
    expect(await repo.readAppState('b', 'dev')).toEqual({ 'x.yaml': 'b' });
  });

  it('refuses file names that leave the app folder', async () => {
    const repo = await GitOpsRepository.open({ dir });
    await expect(
      repo.commitAppState({ app: 'a', env: 'dev', files: { '../../etc/x': 'bad' }, message: 'm' }),
    ).rejects.toThrow(/Invalid GitOps file path/);
  });

  it('makes each commit hold exactly its deployment\'s changes, reusing everything else', async () => {
    const repo = await GitOpsRepository.open({ dir });
    await repo.commitAppState({ app: 'shop', env: 'dev', files: { 'web.yaml': '1', 'db.yaml': '1' }, message: 'shop dev' });
    await repo.commitAppState({ app: 'cart', env: 'dev', files: { 'web.yaml': '1' }, message: 'cart dev' });
    const before = execFileSync('git', ['--git-dir', dir, 'rev-parse', 'HEAD:dev/cart']).toString();

    const commit = await repo.commitAppState({
      app: 'shop',
      env: 'dev',
      files: { 'web.yaml': '2', 'sub/extra.yaml': '1' },
      extraFiles: { 'argocd/dev-shop.yaml': 'kind: Application\n' },
      message: 'shop dev again',
    });
    expect(changedFiles(dir, commit!)).toEqual(['argocd/dev-shop.yaml', 'dev/shop/db.yaml', 'dev/shop/sub/extra.yaml', 'dev/shop/web.yaml']);
    expect(execFileSync('git', ['--git-dir', dir, 'rev-parse', 'HEAD:dev/cart']).toString()).toBe(before);
    expect(await repo.readAppState('shop', 'dev')).toEqual({ 'web.yaml': '2', 'sub/extra.yaml': '1' });
    // The repository is bare: nothing is written outside the history.
    expect(fs.existsSync(path.join(dir, 'dev'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'index'))).toBe(false);
  });

  it('lands every one of many concurrent writes to different apps, each commit with only its own files', async () => {
    const repo = await GitOpsRepository.open({ dir });
    const apps = Array.from({ length: 8 }, (_, i) => `app${i}`);
    const commits = await Promise.all(
      apps.map(app =>
        repo.commitAppState({ app, env: 'dev', files: { 'web.yaml': app }, extraFiles: { [`argocd/dev-${app}.yaml`]: app }, message: `Deploy ${app}` }),
      ),
    );
    const log = await repo.log();
    expect(log.map(c => c.message.trim()).sort()).toEqual(apps.map(app => `Deploy ${app}`).sort());
    for (const [i, app] of apps.entries()) {
      expect(changedFiles(dir, commits[i]!)).toEqual([`argocd/dev-${app}.yaml`, `dev/${app}/web.yaml`]);
      expect(await repo.readAppState(app, 'dev')).toEqual({ 'web.yaml': app });
    }
  });
});
