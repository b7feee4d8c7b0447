import { parseResourceDefinitions } from '@baton/backstage-plugin-orchestrator-common';
import { resolveDriverInputs, type DriverContext } from '@baton/backstage-plugin-orchestrator-node';
import { ConfigReader } from '@backstage/config';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CommandDriver } from './CommandDriver';

// Every test runs real processes; a busy two-core machine starts Node slowly.
jest.setTimeout(30_000);

const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'baton-command-test-')));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** An executable file in the test folder. */
function script(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text, { mode: 0o755 });
  return file;
}

/** Where a name is found on PATH, as a shell finds it. */
function onPath(name: string): string {
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

const sh = onPath('sh');
// The backend's environment: PATH (Node and sh are found through it) and a secret of its own.
const processEnv = { PATH: process.env.PATH, HOME: dir, LANG: 'C.UTF-8', BACKEND_DATABASE_PASSWORD: 'backend-database-password' };
const logged: string[] = [];

function driver(options: Partial<ConstructorParameters<typeof CommandDriver>[0]> = {}) {
  return new CommandDriver({ allow: [sh, `${dir}/*`], processEnv, cwd: dir, ...options });
}

function context(inputs: Record<string, unknown>, overrides: Partial<DriverContext> = {}): DriverContext {
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
async function failure(run: Promise<unknown>): Promise<Error> {
  try {
    await run;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the run to fail');
}

/** Whether a process runs (a zombie, waiting for a parent that is gone, does not). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

// A provisioner in the style of score-k8s's built-in ones: a password kept in
// its state, a Secret holding it, an output referring to that Secret, shared
// state patched, and its mode from `<mode>`.
const postgresProvisioner = `#!/usr/bin/env node
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

describe('CommandDriver', () => {
  beforeEach(() => logged.splice(0));

  it("runs score-k8s's own cmd provisioner test unchanged and sends score-k8s's stdin document", async () => {
    // Verbatim from score-k8s internal/provisioners/cmdprov/commandprov_test.go (TestProvision_success).
    const inputs = { command: 'cmd://sh', args: ['-c', "echo '{\"resource_outputs\":' `cat` '}'"] };
    const result = await driver().provision(context(inputs));
    expect(result.outputs.resource_uid).toBe('postgres.default#web.db');
    expect(result.outputs).toEqual({
      resource_guid: 'g1234567890abcdef',
      resource_uid: 'postgres.default#web.db',
      resource_type: 'postgres',
      resource_class: 'default',
      resource_id: 'web.db',
      resource_params: { size: 'small' },
      resource_metadata: {},
      source_workload: 'web',
      workload_metadata: { name: 'web' },
      workload_services: {},
      namespace: 'shop-dev',
      resource_state: {},
      shared_state: {},
    });
    expect(Object.keys(result.outputs)).toEqual([
      'resource_guid', 'resource_uid', 'resource_type', 'resource_class', 'resource_id', 'resource_params', 'resource_metadata',
      'source_workload', 'workload_metadata', 'workload_services', 'namespace', 'resource_state', 'shared_state',
    ]);
    expect(result.secrets).toEqual({});
    expect(result.manifests).toEqual({});
    expect(result.cookie).toEqual({ resource_state: {}, shared_state: {} });

    // A shared resource (Score `id: main-db`) has score-k8s's id; the definition may set the namespace.
    const shared = await driver().provision(
      context({ ...inputs, command: 'cmd://sh#fragment-names-the-provisioner', namespace: 'shop-dev-custom' }, {
        resource: { uid: 'redis.cache#shared.main-db', type: 'redis', class: 'cache', resId: 'shared.main-db', params: {} },
      }),
    );
    expect(shared.outputs).toMatchObject({ resource_uid: 'redis.cache#main-db', resource_id: 'main-db', resource_class: 'cache', source_workload: '', workload_metadata: {}, namespace: 'shop-dev-custom' });
  });

  it('runs a definition as Baton resolves it: args as written (shell ${…} intact), env with placeholders', async () => {
    // The shape `baton definitions import` writes, with a script in the style of the community provisioners.
    const [{ definition }] = parseResourceDefinitions(
      `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: dns-sh }
spec:
  type: dns
  driver: command
  driverInputs:
    values:
      command: cmd://sh#dns-sh
      args:
        - -c
        - |
          set -eu
          STDIN=$(cat)
          NAME=$(echo "$STDIN" | sed -n 's/.*"resource_id":"\\([^"]*\\)".*/\\1/p')
          HOST=\${NAME}.\${ZONE}
          OUTPUTS='{"resource_outputs":{"host":"%s", "url":"https://%s"},"manifests":[]}'
          printf "$OUTPUTS" "$HOST" "$HOST"
      env: { ZONE: '\${context.env.id}.example.com' }
  criteria: [{}]
`,
      'dns.yaml',
    );
    const d = driver();
    const resource = { uid: 'dns.default#shared.api', type: 'dns', class: 'default', resId: 'shared.api', guresid: 'g1' };
    const { inputs, secrets } = resolveDriverInputs(definition, { app: 'shop', env: 'dev', envType: 'development', resource }, () => undefined, {
      verbatim: d.verbatimInputs,
    });
    expect(d.validateInputs(definition.spec.driverInputs!.values!, [])).toEqual([]);
    const result = await d.provision(context(inputs, { secrets, resource: { ...resource, params: {} } }));
    expect(result.outputs).toEqual({ host: 'api.dev.example.com', url: 'https://api.dev.example.com' });
  });

  it('keeps state in its cookie, patches shared state, converts manifests and resolves secret references to secret outputs', async () => {
    const command = script('postgres-provisioner', postgresProvisioner);
    const inputs = { command, args: ['<mode>'] };
    const first = await driver().provision(context(inputs));
    const cookie = first.cookie as { resource_state: { password: string; runs: number }; shared_state: unknown };
    const password = cookie.resource_state.password;
    expect(password).toMatch(/^pw-/);
    expect(first.outputs).toEqual({ host: 'pg-g1234567890abcdef.shop-dev.svc', port: 5432, mode: 'provision' });
    expect(first.secrets).toEqual({
      password,
      url: `postgres://app:${password}@pg-g1234567890abcdef:5432/app`,
      username: 'app',
    });
    expect(cookie).toEqual({ resource_state: { password, runs: 1 }, shared_state: { instances: { 'web.db': 'pg-g1234567890abcdef' }, obsolete: true } });
    expect(first.manifests).toEqual({
      'secret-pg-g1234567890abcdef': {
        location: 'namespace',
        data: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pg-g1234567890abcdef' }, data: { password: Buffer.from(password).toString('base64') }, stringData: { username: 'app' } },
      },
      // The later object of the same identity replaces the earlier one, as in score-k8s.
      'configmap-pg-g1234567890abcdef': {
        location: 'namespace',
        data: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pg-g1234567890abcdef' }, data: { version: '2' } },
      },
      'clusterrole-pg-g1234567890abcdef': {
        location: 'cluster',
        data: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'pg-g1234567890abcdef' }, rules: [] },
      },
    });
    expect(logged).toContain(`postgres.default#modules.web.externals.db: ${command} said: provisioned pg-g1234567890abcdef`);

    // The next run gets its state back: same password; null in shared_state deletes a key.
    const second = await driver().provision(context(inputs, { cookie: Object.freeze(first.cookie) }));
    expect(second.secrets.password).toBe(password);
    expect(second.cookie).toEqual({
      resource_state: { password, runs: 2 },
      shared_state: { instances: { 'web.db': 'pg-g1234567890abcdef' }, runs: 2 },
    });
  });

  it('runs <mode> deprovision on destroy with the kept state, and does not run a command that has no <mode>', async () => {
    const command = script('postgres-provisioner', postgresProvisioner);
    const marker = path.join(dir, 'deprovisioned.json');
    const cookie = { resource_state: { password: 'kept-password', runs: 3 }, shared_state: {} };
    await driver().destroy(context({ command, args: ['<mode>'], env: { MARKER: marker } }, { cookie }));
    expect(JSON.parse(fs.readFileSync(marker, 'utf8'))).toEqual({ mode: 'deprovision', state: cookie.resource_state, namespace: 'shop-dev' });

    fs.rmSync(marker);
    await driver().destroy(context({ command, args: [], env: { MARKER: marker } }, { cookie }));
    expect(fs.existsSync(marker)).toBe(false);
    expect(logged.join('\n')).toContain('has no deprovision mode; nothing to run');
  });

  it('allows only executables the configuration lists, when a definition is saved and when it runs', async () => {
    const allowed = script('allowed-provisioner', '#!/bin/sh\necho \'{"resource_outputs":{"ok":true}}\'\n');
    const other = path.join(os.tmpdir(), 'not-allowed-provisioner');
    const d = driver({ allow: [sh, `${dir}/allowed-*`] });
    const problems = (command: string) => d.validateInputs({ command }, []);

    for (const command of [allowed, 'cmd://sh', 'cmd://sh#name', `cmd://${allowed}`, 'cmd://./allowed-provisioner', 'cmd://~/allowed-provisioner']) {
      expect({ command, problems: problems(command) }).toEqual({ command, problems: [] });
    }
    expect((await d.provision(context({ command: 'cmd://./allowed-provisioner' }))).outputs).toEqual({ ok: true });

    expect(problems(other)).toEqual([{ path: 'values.command', message: `${other} is not allowed by orchestrator.drivers.command.allow` }]);
    // `..` cannot leave an allowed folder; cmd://../ is relative to the parent of the working directory.
    const escape = `${dir}/allowed-x/../../../bin/sh`;
    expect(driver({ allow: [`${dir}/allowed-*`] }).validateInputs({ command: escape }, [])).toEqual([
      { path: 'values.command', message: `${escape} resolves to ${path.normalize(escape)}, which is not allowed by orchestrator.drivers.command.allow` },
    ]);
    expect(problems(`cmd://../${path.basename(dir)}/allowed-provisioner`)).toEqual([]);
    expect(problems('cmd://bash')[0]).toEqual({ path: 'values.command', message: `cmd://bash resolves to ${onPath('bash')}, which is not allowed by orchestrator.drivers.command.allow` });
    expect(driver({ allow: [] }).validateInputs({ command: 'cmd://sh' }, [])[0].message).toBe(
      `cmd://sh resolves to ${sh}, which is not allowed by orchestrator.drivers.command.allow (no executable is allowed: the list is empty)`,
    );
    // The URI rules of score-k8s.
    expect(problems('cmd://absolutely-unknown-score-provisioner')[0].message).toBe("absolutely-unknown-score-provisioner is not found on the backend's PATH");
    expect(problems('cmd://something/foo')[0].message).toBe('cmd://something/foo: direct command reference cannot contain additional path parts');
    expect(problems('cmd://something@foo')[0].message).toBe('cmd://something@foo: cmd provisioner uri cannot contain user info');
    expect(problems('cmd://something:80')[0].message).toBe('cmd://something:80: cmd provisioner uri cannot contain a port');
    expect(problems('cmd://something?foo=x')[0].message).toBe('cmd://something?foo=x: cmd provisioner uri cannot contain query params');
    expect(problems('bin/provisioner')[0].message).toContain('is a relative path');
    expect(problems('${resources.x.outputs.path}')[0].message).toContain('cannot hold placeholders');

    await expect(d.provision(context({ command: 'cmd://bash', args: ['-c', 'echo {}'] }))).rejects.toThrow(
      `values.command: cmd://bash resolves to ${onPath('bash')}, which is not allowed by orchestrator.drivers.command.allow`,
    );
    expect(() => driver({ allow: ['bin/*'] })).toThrow('orchestrator.drivers.command.allow: bin/* is not an absolute path or pattern');
    // `**` crosses folders, `*` does not.
    fs.mkdirSync(path.join(dir, 'nested/deeper'), { recursive: true });
    const nested = script('nested/deeper/p', '#!/bin/sh\necho {}\n');
    expect(driver({ allow: [`${dir}/*`] }).validateInputs({ command: nested }, [])).toHaveLength(1);
    expect(driver({ allow: [`${dir}/**`] }).validateInputs({ command: nested }, [])).toEqual([]);
  });

  it('refuses other inputs that cannot run safely when a definition is saved', () => {
    const d = driver({ timeoutSeconds: 10 });
    expect(
      d.validateInputs(
        {
          command: 'cmd://sh',
          args: ['-c', 'echo {}'],
          env: { LD_PRELOAD: '/tmp/x.so', 'BASH_FUNC_x%%': '() { :; }', GOOD: 'yes', FROM_OUTPUT: '${resources.dns.outputs.host}' },
          timeoutSeconds: 30,
        },
        ['env', 'password'],
      ),
    ).toEqual([
      { path: 'secrets.password', message: 'secrets reach the command only as environment variables: put them in secrets.env' },
      { path: 'values.env.LD_PRELOAD', message: "the dynamic loader's variables (LD_*, DYLD_*) are not passed: they would run other code inside the command" },
      { path: 'values.env.BASH_FUNC_x%%', message: 'is not an environment variable name' },
      { path: 'values.timeoutSeconds', message: 'is more than the configured limit (orchestrator.drivers.command.timeoutSeconds: 10)' },
    ]);
    // Types are the schema's business (the backend checks it first, and again once placeholders are resolved).
    expect(d.validateInputs({ command: 7, env: 'x', timeoutSeconds: '${context.env.id}' }, [])).toEqual([]);
    expect(d.inputsSchema.required).toEqual(['command']);
    expect(d.inputsSchema.additionalProperties).toBe(false);
  });

  it('gives the command a minimal environment plus the definition’s, and keeps what holds a secret secret', async () => {
    const inputs = {
      command: 'cmd://sh',
      args: ['-c', 'printf \'{"resource_outputs":{"env":"%s","token":"%s","region":"%s","apiKey":"%s"}}\' "$(env | sort | cut -d= -f1 | tr "\\n" " ")" "Bearer $API_TOKEN" "$REGION" "plain-looking"'],
      env: { REGION: 'eu-west-1' },
      secretOutputs: ['apiKey'],
    };
    const result = await driver().provision(context(inputs, { secrets: { env: { API_TOKEN: 'tok-secret-123' } } }));
    const names = (result.outputs.env as string).trim().split(' ');
    expect(names).toEqual(expect.arrayContaining(['API_TOKEN', 'HOME', 'LANG', 'PATH', 'REGION']));
    // Besides those, only what the shell itself sets.
    expect(names.filter(n => !['API_TOKEN', 'HOME', 'LANG', 'PATH', 'REGION', 'PWD', 'OLDPWD', 'SHLVL', '_'].includes(n))).toEqual([]);
    expect(result.outputs.env).not.toContain('BACKEND_DATABASE_PASSWORD');
    expect(result.outputs.region).toBe('eu-west-1');
    expect(result.outputs).not.toHaveProperty('token');
    expect(result.secrets).toEqual({ token: 'Bearer tok-secret-123', apiKey: 'plain-looking' });

    // Secret arguments would be visible to every process on the host.
    await expect(driver().provision(context({ command: 'cmd://sh' }, { secrets: { args: ['-c', 'echo {}'] } }))).rejects.toThrow(
      'args are secret: arguments are visible to every user of the host (ps); pass secret values in secrets.env',
    );
    await expect(driver().provision(context({ command: 'cmd://sh', args: ['-c', 'echo {}'] }, { secrets: { token: 'x' } }))).rejects.toThrow(
      'token is secret (it is in driverInputs.secrets or reads a secret output), but only env reaches the command as a secret',
    );
    await expect(driver().provision(context({ command: 'cmd://sh', env: { LD_PRELOAD: '/x.so' } }))).rejects.toThrow('values.env.LD_PRELOAD');
  });

  it('fails a non-zero exit with its status and the end of stderr, without secret values', async () => {
    const inputs = {
      command: 'cmd://sh',
      args: ['-c', 'i=0; while [ $i -lt 500 ]; do echo "line $i of noise" >&2; i=$((i+1)); done; echo "cannot log in with $PASSWORD" >&2; exit 3'],
    };
    const error = await failure(driver().provision(context(inputs, { secrets: { env: { PASSWORD: 'hunter2-secret' } } })));
    expect(error.message).toMatch(new RegExp(`^${sh} \\(provision\\) exited with status 3: …`));
    expect(error.message).toContain('line 499 of noise\ncannot log in with ***');
    expect(error.message).not.toContain('line 1 of noise');
    expect(error.message).not.toContain('hunter2-secret');
    expect(error.message.length).toBeLessThan(2200);

    // Where only the end of stderr is shown, the cut does not leave part of a secret.
    const cut = await failure(
      driver().provision(
        context({ command: 'cmd://sh', args: ['-c', `printf '%s${'x'.repeat(1995)}' "$PASSWORD" >&2; exit 1`] }, { secrets: { env: { PASSWORD: 'hunter2-secret' } } }),
      ),
    );
    expect(cut.message).toBe(`${sh} (provision) exited with status 1: ***${'x'.repeat(1995)}`);

    // score-k8s's own failing case (TestProvision_fail_command).
    await expect(driver().provision(context({ command: 'cmd://sh', args: ['-c', 'false'] }))).rejects.toThrow(`${sh} (provision) exited with status 1`);
  });

  it('refuses output that is not score-k8s JSON, without quoting it', async () => {
    const run = (shell: string) => driver().provision(context({ command: 'cmd://sh', args: ['-c', shell] }));
    // score-k8s's own case (TestProvision_fail_decode).
    const bananas = await failure(run('echo bananas'));
    expect(bananas.message).toMatch(/printed invalid JSON on stdout( \(at character \d+\))?; expected a JSON object with resource_outputs, resource_state, shared_state, manifests$/);
    expect(bananas.message).not.toContain('bananas');
    const truncated = await failure(run('echo \'{"resource_outputs": {"password": "s3cret"\''));
    expect(truncated.message).toContain('printed invalid JSON on stdout');
    expect(truncated.message).not.toContain('s3cret');
    await expect(run('true')).rejects.toThrow(`${sh} (provision) printed nothing on stdout`);
    await expect(run('echo \'["a"]\'')).rejects.toThrow('printed JSON that is not an object on stdout');
    await expect(run('echo \'{"resource_outputs":{},"secret_outputs":{"password":"x"}}\'')).rejects.toThrow(
      `${sh} (provision) printed unknown field 'secret_outputs' on stdout (known: resource_outputs, resource_state, shared_state, manifests)`,
    );
    await expect(run('echo \'{"resource_outputs":"text"}\'')).rejects.toThrow('printed resource_outputs that is not a JSON object');
    await expect(run('echo \'{"manifests":{"kind":"Secret"}}\'')).rejects.toThrow('printed manifests that are not a list of Kubernetes objects');
    await expect(run('echo \'{"manifests":[{"kind":"ConfigMap"}]}\'')).rejects.toThrow(
      'printed manifests[0], which is not a Kubernetes object: it needs apiVersion, kind and metadata.name',
    );
    await expect(run('echo \'{"manifests":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"p":"🔐💬s_k💬🔐"}}]}\'')).rejects.toThrow(
      'printed manifests[0].data.p holding a score-k8s secret reference, which only resource_outputs may hold',
    );
    // As Go's decoder in score-k8s: what follows the first JSON value is ignored.
    expect((await run('echo \'{"resource_outputs":{"a":1}}\'; echo done')).outputs).toEqual({ a: 1 });
    // null fields are empty, as in score-k8s.
    expect(await run('echo \'{"resource_outputs":null,"resource_state":null,"manifests":null}\'')).toMatchObject({ outputs: {}, manifests: {}, cookie: { resource_state: {} } });
  });

  it("refuses a secret reference to a Secret the provisioner does not return (score-k8s's example provisioner, verbatim)", async () => {
    // From score-k8s internal/provisioners/default/zz-default.provisioners.yaml (cmd://bash#example-provisioner):
    // its secret lives in a Kubernetes Secret Baton never sees.
    const d = driver({ allow: [onPath('bash')] });
    const inputs = { command: 'cmd://bash#example-provisioner', args: ['-c', "echo '{\"resource_outputs\":{\"key\":\"value\",\"secret\":\"🔐💬mysecret_mykey💬🔐\"},\"manifests\":[]}'"] };
    expect(d.validateInputs(inputs, [])).toEqual([]);
    await expect(d.provision(context(inputs))).rejects.toThrow(
      `${onPath('bash')} (provision) printed resource_outputs.secret referring to key mykey of Secret mysecret, which is not among its manifests: ` +
        'Baton resolves score-k8s secret references only to Secrets the provisioner returns',
    );
  });

  it('stops a command that prints more than the output limit', async () => {
    const flood = `while :; do echo ${'a'.repeat(100)}; done`;
    const error = await failure(driver().provision(context({ command: 'cmd://sh', args: ['-c', flood] })));
    expect(error.message).toBe(`${sh} (provision) printed more than 1048576 bytes on stdout (the limit); its processes were killed`);
  });

  it('kills the whole process tree at the time limit, and when cancelled', async () => {
    const pids = path.join(dir, 'pids');
    const command = script(
      'slow-provisioner',
      `#!/bin/sh\ntrap '' TERM\nsleep 300 &\necho $$ $! > ${pids}\necho "working" >&2\nwait\nwait\n`,
    );
    const error = await failure(driver({ timeoutSeconds: 1, killGraceMs: 500 }).provision(context({ command })));
    expect(error.message).toBe(`${command} (provision) did not finish within 1 s; its processes were killed: working`);
    const [shell, sleeper] = fs.readFileSync(pids, 'utf8').trim().split(' ').map(Number);
    expect(running(shell)).toBe(false);
    expect(running(sleeper)).toBe(false);

    // A definition may ask for less time than configured, never more.
    await expect(driver({ timeoutSeconds: 2 }).provision(context({ command, timeoutSeconds: 5 }))).rejects.toThrow(
      'values.timeoutSeconds 5 is more than the configured limit (2)',
    );

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const cancelled = await failure(driver().provision(context({ command }, { signal: controller.signal })));
    expect(cancelled.message).toBe(`${command} (provision) was cancelled; its processes were killed`);
    const [shell2, sleeper2] = fs.readFileSync(pids, 'utf8').trim().split(' ').map(Number);
    expect(running(shell2)).toBe(false);
    expect(running(sleeper2)).toBe(false);
  });

  it('reads its allow list and time limit from configuration', async () => {
    const config = new ConfigReader({ orchestrator: { drivers: { command: { allow: [sh], timeoutSeconds: 7 } } } });
    const d = CommandDriver.fromConfig(config, { processEnv });
    expect(d.validateInputs({ command: 'cmd://sh', timeoutSeconds: 8 }, [])).toEqual([
      { path: 'values.timeoutSeconds', message: 'is more than the configured limit (orchestrator.drivers.command.timeoutSeconds: 7)' },
    ]);
    expect(CommandDriver.fromConfig(new ConfigReader({}), { processEnv }).validateInputs({ command: 'cmd://sh' }, [])[0].message).toContain('the list is empty');
  });
});
