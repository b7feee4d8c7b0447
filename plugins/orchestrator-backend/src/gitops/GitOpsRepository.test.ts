import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { GitOpsRepository } from './GitOpsRepository';
import { startGitHttpServer } from '../__testUtils__/gitHttpServer';


// Pushes, fetches and packs go through child processes and the disk: seconds on a busy machine.
jest.setTimeout(30_000);
/** The files a commit changed against its parent, as `git` sees them. */
function changedFiles(gitDir: string, commit: string): string[] {
  return execFileSync('git', ['--git-dir', gitDir, 'diff-tree', '--root', '--no-commit-id', '--name-only', '-r', commit])
    .toString()
    .trim()
    .split('\n')
    .filter(Boolean)
    .sort();
}

/** The files of one environment's deployment of an app: 39 manifests and its Argo CD Application. */
function manyFiles(label: string) {
  return Object.fromEntries(
    Array.from({ length: 39 }, (_, i) => [`w${i}.yaml`, `kind: Deployment\nmetadata: { name: ${label}-${i} }\n${'x'.repeat(20000)}\n`]),
  );
}

describe('GitOpsRepository', () => {
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

  it('pushes to a configured remote with its credentials and continues from it', async () => {
    const remote = await startGitHttpServer(path.join(dir, 'remote.git'), {
      username: 'baton',
      password: 'token-123',
    });
    try {
      const options = {
        remote: { url: remote.url, branch: 'main', username: 'baton', password: 'token-123' },
      };
      const first = await GitOpsRepository.open({ dir: path.join(dir, 'a'), ...options });
      await first.commitAppState({ app: 'shop', env: 'prod', files: { 'a.yaml': '1' }, message: 'one' });

      // A second replica clones the remote and builds on the first one's commit.
      const second = await GitOpsRepository.open({ dir: path.join(dir, 'b'), ...options });
      expect(await second.readAppState('shop', 'prod')).toEqual({ 'a.yaml': '1' });
      await second.commitAppState({ app: 'shop', env: 'qa', files: { 'b.yaml': '2' }, message: 'two' });

      // The first replica fetches before writing, so nothing is lost.
      await first.commitAppState({ app: 'shop', env: 'prod', files: { 'a.yaml': '3' }, message: 'three' });
      const log = execFileSync('git', ['--git-dir', remote.gitDir, 'log', '--format=%s', 'main']).toString();
      expect(log.trim().split('\n')).toEqual(['three', 'two', 'one']);
      expect(remote.authorizations.every(a => a === `Basic ${Buffer.from('baton:token-123').toString('base64')}`)).toBe(true);

      const wrong = await GitOpsRepository.open({
        dir: path.join(dir, 'c'),
        remote: { ...options.remote, password: 'wrong' },
      }).catch(e => e);
      expect(wrong).toBeInstanceOf(Error);
    } finally {
      await remote.close();
    }
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

  it('sees commits made by others on the branch and builds on them', async () => {
    const repo = await GitOpsRepository.open({ dir });
    await repo.commitAppState({ app: 'shop', env: 'dev', files: { 'web.yaml': 'replicas: 1\n' }, message: 'deploy' });

    // A hand edit: someone clones, commits and pushes.
    const clone = path.join(os.tmpdir(), `baton-gitops-clone-${process.pid}`);
    const gitIn = (...args: string[]) => execFileSync('git', ['-C', clone, ...args], { stdio: 'pipe' });
    try {
      execFileSync('git', ['clone', '-q', dir, clone]);
      fs.writeFileSync(path.join(clone, 'dev/shop/web.yaml'), 'replicas: 5\n');
      gitIn('-c', 'user.name=someone', '-c', 'user.email=someone@example.com', 'commit', '-qam', 'manual change');
      gitIn('push', '-q', 'origin', 'HEAD:main');
    } finally {
      fs.rmSync(clone, { recursive: true, force: true });
    }
    expect(await repo.readAppState('shop', 'dev')).toEqual({ 'web.yaml': 'replicas: 5\n' });

    const revert = await repo.commitAppState({ app: 'shop', env: 'dev', files: { 'web.yaml': 'replicas: 1\n' }, message: 'revert' });
    expect(changedFiles(dir, revert!)).toEqual(['dev/shop/web.yaml']);
    expect((await repo.log()).map(c => c.message.trim())).toEqual(['revert', 'manual change', 'deploy']);
  });

  it('reads what another replica pushed to a remote that was empty when it started', async () => {
    const remote = await startGitHttpServer(path.join(dir, 'remote.git'), { username: 'baton', password: 'token-123' });
    try {
      const options = { url: remote.url, branch: 'main', username: 'baton', password: 'token-123' };
      const a = await GitOpsRepository.open({ dir: path.join(dir, 'a'), remote: options });
      const b = await GitOpsRepository.open({ dir: path.join(dir, 'b'), remote: options });
      expect(await b.readAppState('shop', 'dev')).toEqual({});
      await a.commitAppState({ app: 'shop', env: 'dev', files: { 'web.yaml': 'from a' }, message: 'deploy from a' });
      expect(await b.readAppState('shop', 'dev')).toEqual({ 'web.yaml': 'from a' });
      await b.commitAppState({ app: 'shop', env: 'qa', files: { 'web.yaml': 'from b' }, message: 'deploy from b' });
      expect(await a.readAppState('shop', 'qa')).toEqual({ 'web.yaml': 'from b' });
      expect((await a.log()).map(c => c.message.trim())).toEqual(['deploy from b', 'deploy from a']);
    } finally {
      await remote.close();
    }
  });

  it('moves a repository with a working tree to a bare one, keeping its history and dropping half-staged files', async () => {
    // As an earlier version left it when killed mid-write: another environment's files staged, a stray file.
    const gitIn = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { stdio: 'pipe' });
    gitIn('init', '-q', '--initial-branch=main');
    fs.mkdirSync(path.join(dir, 'dev/shop'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dev/shop/web.yaml'), 'kind: Deployment\n');
    gitIn('add', '.');
    gitIn('-c', 'user.name=Baton', '-c', 'user.email=baton@localhost', 'commit', '-qm', 'Deploy shop to dev');
    fs.mkdirSync(path.join(dir, 'p3/other'), { recursive: true });
    for (const [file, content] of Object.entries(manyFiles('other'))) fs.writeFileSync(path.join(dir, 'p3/other', file), content);
    gitIn('add', 'p3');
    fs.writeFileSync(path.join(dir, 'p3/other/stray.yaml'), 'kind: Stray\n');

    const repo = await GitOpsRepository.open({ dir });
    const commit = await repo.commitAppState({
      app: 'probe',
      env: 'p4',
      files: { 'web.yaml': 'kind: Deployment\n' },
      extraFiles: { 'argocd/p4-probe.yaml': 'kind: Application\n' },
      message: 'Deploy probe to p4',
    });
    expect(changedFiles(dir, commit!)).toEqual(['argocd/p4-probe.yaml', 'p4/probe/web.yaml']);
    expect((await repo.log()).map(c => c.message.trim())).toEqual(['Deploy probe to p4', 'Deploy shop to dev']);
    expect(await repo.readAppState('shop', 'dev')).toEqual({ 'web.yaml': 'kind: Deployment\n' });
    expect(fs.existsSync(path.join(dir, 'p3'))).toBe(false);
    expect(fs.existsSync(path.join(dir, '.git'))).toBe(false);
    expect(execFileSync('git', ['--git-dir', dir, 'config', 'core.bare']).toString().trim()).toBe('true');
  });

  it('commits exactly the next deployment\'s files after a writer is killed mid-write', async () => {
    // A backend writing another environment's 39-file deployments, killed without warning.
    const writer = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
        '-e',
        `
        const { GitOpsRepository } = require(${JSON.stringify(require.resolve('./GitOpsRepository'))});
        const files = (${manyFiles.toString()})('other');
        (async () => {
          const repo = await GitOpsRepository.open({ dir: ${JSON.stringify(dir)} });
          for (let i = 0; ; i++) {
            await repo.commitAppState({ app: 'other' + i, env: 'p3', files: { ...files, 'n.yaml': String(i) }, message: 'Deploy other' + i + ' to p3' });
            if (i === 0) process.stdout.write('committed\\n');
          }
        })();
        `,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      writer.stdout.once('data', () => resolve());
      writer.once('exit', code => reject(new Error(`writer exited with ${code}`)));
    });
    await new Promise(r => setTimeout(r, 150 + Math.random() * 200));
    const exited = new Promise(r => writer.once('exit', r));
    writer.kill('SIGKILL');
    await exited;

    const repo = await GitOpsRepository.open({ dir });
    const commit = await repo.commitAppState({
      app: 'probe',
      env: 'p4',
      files: { 'web.yaml': 'kind: Deployment\n', 'secret-store.yaml': 'kind: SecretStore\n' },
      extraFiles: { 'argocd/p4-probe.yaml': 'kind: Application\n' },
      message: 'Deploy probe to p4',
    });
    expect(changedFiles(dir, commit!)).toEqual(['argocd/p4-probe.yaml', 'p4/probe/secret-store.yaml', 'p4/probe/web.yaml']);
    // Whatever the kill interrupted, every object and ref that Git finds is whole.
    execFileSync('git', ['--git-dir', dir, 'fsck', '--no-dangling'], { stdio: 'pipe' });
    const log = await repo.log(1000);
    expect(log[0].message.trim()).toBe('Deploy probe to p4');
    expect(log.length).toBeGreaterThan(1);
    // Starting a second Node.js process takes seconds on a loaded machine.
  }, 30_000);

  it('lands concurrent writes of two replicas sharing a remote', async () => {
    const remote = await startGitHttpServer(path.join(dir, 'remote.git'), { username: 'baton', password: 'token-123' });
    try {
      const options = { remote: { url: remote.url, branch: 'main', username: 'baton', password: 'token-123' } };
      const a = await GitOpsRepository.open({ dir: path.join(dir, 'a'), ...options });
      await a.commitAppState({ app: 'shop', env: 'dev', files: { 'a.yaml': '0' }, message: 'zero' });
      const b = await GitOpsRepository.open({ dir: path.join(dir, 'b'), ...options });
      await Promise.all([
        a.commitAppState({ app: 'shop', env: 'prod', files: { 'a.yaml': '1' }, message: 'one' }),
        b.commitAppState({ app: 'cart', env: 'prod', files: { 'b.yaml': '2' }, message: 'two' }),
      ]);
      const log = execFileSync('git', ['--git-dir', remote.gitDir, 'log', '--format=%s', 'main']).toString();
      expect(log.trim().split('\n').sort()).toEqual(['one', 'two', 'zero']);
      expect(await a.readAppState('cart', 'prod')).toEqual({ 'b.yaml': '2' });
    } finally {
      await remote.close();
    }
  }, 30_000);
});
