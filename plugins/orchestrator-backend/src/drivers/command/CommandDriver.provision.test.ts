import { parseResourceDefinitions } from '@baton/backstage-plugin-orchestrator-common';
import { resolveDriverInputs } from '@baton/backstage-plugin-orchestrator-node';
import fs from 'node:fs';
import path from 'node:path';
import { context, dir, driver, failure, logged, onPath, postgresProvisioner, script, sh } from '../../__testUtils__/commandDriverTestbed';

// Every test runs real processes; a busy two-core machine starts Node slowly.
jest.setTimeout(30_000);

describe('CommandDriver runs provisioners as score-k8s does', () => {
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
});
