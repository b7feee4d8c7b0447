import { ConfigReader } from '@backstage/config';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { context, dir, driver, failure, logged, onPath, processEnv, running, script, sh } from '../../__testUtils__/commandDriverTestbed';
import { CommandDriver } from './CommandDriver';

// Every test runs real processes; a busy two-core machine starts Node slowly.
jest.setTimeout(30_000);

describe('CommandDriver limits what a command runs, sees and prints', () => {
  beforeEach(() => logged.splice(0));

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
