/** A CommandDriver in a test folder of its own, the context a driver is given, and a provisioner in the style of score-k8s's. */
import type { DriverContext } from '@baton/backstage-plugin-orchestrator-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CommandDriver } from '../drivers/command/CommandDriver';

export const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'baton-command-test-')));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** An executable file in the test folder. */
export function script(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text, { mode: 0o755 });
  return file;
}

/** Where a name is found on PATH, as a shell finds it. */
export function onPath(name: string): string {
  for (const d of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(d, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`${name} is not on PATH`);
}

export const sh = onPath('sh');
// The backend's environment: PATH (Node and sh are found through it) and a secret of its own.
export const processEnv = { PATH: process.env.PATH, HOME: dir, LANG: 'C.UTF-8', BACKEND_DATABASE_PASSWORD: 'backend-database-password' };
/** What the driver logged (each test empties it first). */
export const logged: string[] = [];

export function driver(options: Partial<ConstructorParameters<typeof CommandDriver>[0]> = {}) {
  return new CommandDriver({ allow: [sh, `${dir}/*`], processEnv, cwd: dir, ...options });
}

export function context(inputs: Record<string, unknown>, overrides: Partial<DriverContext> = {}): DriverContext {
  return {
    guresid: 'g1234567890abcdef',
    resource: { uid: 'postgres.default#modules.web.externals.db', type: 'postgres', class: 'default', resId: 'modules.web.externals.db', params: { size: 'small' } },
    context: { app: { id: 'shop' }, env: { id: 'dev', type: 'development' } },
    inputs,
    secrets: {},
    signal: new AbortController().signal,
    logger: {
      info: m => logged.push(m),
      warn: m => logged.push(m),
      error: m => logged.push(m),
      debug: m => logged.push(m),
    },
    ...overrides,
  };
}

/** The error a run fails with; a run that succeeds fails the test. */
export async function failure(run: Promise<unknown>): Promise<Error> {
  try {
    await run;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the run to fail');
}

/** Whether a process runs (a zombie, waiting for a parent that is gone, does not). */
export function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

// A provisioner in the style of score-k8s's built-in ones: a password kept in
// its state, a Secret holding it, an output referring to that Secret, shared
// state patched, and its mode from `<mode>`.
export const postgresProvisioner = `#!/usr/bin/env node
let text = '';
process.stdin.on('data', c => (text += c)).on('end', () => {
  const input = JSON.parse(text);
  const mode = process.argv[2];
  const state = input.resource_state;
  const name = 'pg-' + input.resource_guid;
  if (mode === 'deprovision') {
    require('fs').writeFileSync(process.env.MARKER, JSON.stringify({ mode, state, namespace: input.namespace }));
    return;
  }
  const password = state.password || 'pw-' + Math.random().toString(36).slice(2);
  const runs = (state.runs || 0) + 1;
  process.stdout.write(JSON.stringify({
    resource_state: { password, runs },
    shared_state: runs === 1 ? { instances: { [input.resource_id]: name }, obsolete: true } : { obsolete: null, runs },
    resource_outputs: {
      host: name + '.' + input.namespace + '.svc',
      port: 5432,
      mode,
      password: '🔐💬' + name + '_password💬🔐',
      url: 'postgres://app:🔐💬' + name + '_password💬🔐@' + name + ':5432/app',
      username: '🔐💬' + name + '_username💬🔐',
    },
    manifests: [
      { apiVersion: 'v1', kind: 'Secret', metadata: { name }, data: { password: Buffer.from(password).toString('base64') }, stringData: { username: 'app' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { version: '1' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { version: '2' } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [] },
    ],
  }) + '\\n');
  process.stderr.write('provisioned ' + name + '\\n');
});
`;
