import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { GitOpsRepository } from './GitOpsRepository';
import { changedFiles } from '../__testUtils__/changedFiles';

// Pushes, fetches and packs go through child processes and the disk: seconds on a busy machine.
jest.setTimeout(30_000);

/** The files of one environment's deployment of an app: 39 manifests and its Argo CD Application. */
function manyFiles(label: string) {
  return Object.fromEntries(
    Array.from({ length: 39 }, (_, i) => [`w${i}.yaml`, `kind: Deployment\nmetadata: { name: ${label}-${i} }\n${'x'.repeat(20000)}\n`]),
  );
}

describe('GitOpsRepository recovers a repository left by an older backend or a killed writer', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-gitops-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

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
});
