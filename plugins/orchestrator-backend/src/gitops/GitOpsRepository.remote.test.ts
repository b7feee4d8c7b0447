import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { GitOpsRepository } from './GitOpsRepository';
import { changedFiles } from '../__testUtils__/changedFiles';
import { startGitHttpServer } from '../__testUtils__/gitHttpServer';

// Pushes, fetches and packs go through child processes and the disk: seconds on a busy machine.
jest.setTimeout(30_000);

describe('GitOpsRepository with a remote and other writers', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-gitops-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

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
