import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend, TestBackend, TestDatabases } from '@backstage/backend-test-utils';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import orchestratorPlugin from '@baton/backstage-plugin-orchestrator-backend';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Baton's operations as an agent sees them: the tools the MCP actions plugin
// lists and calls, over its MCP endpoint (JSON-RPC over streamable HTTP),
// with the permissions of the user the agent acts for.
jest.setTimeout(180_000);

const databases = TestDatabases.create({
  ids: process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ? ['SQLITE_3', 'POSTGRES_15'] : ['SQLITE_3'],
});

const SECRET = 'mcp-test-secret-password-3f9a';
const definitions = `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: shared-postgres }
spec:
  type: postgres
  driver: echo
  driverInputs:
    values: { host: "pg.\${context.env.id}.internal", port: 5432 }
    secrets: { password: ${SECRET} }
  criteria: [{}]
`;
const web = (tag: string) => `apiVersion: score.dev/v1b1
metadata: { name: web }
containers:
  main:
    image: registry.example/web:${tag}
    variables: { DB_HOST: "\${resources.db.host}", DB_PASSWORD: "\${resources.db.password}" }
resources:
  db: { type: postgres }
`;

const alice = 'user:default/alice';
/** May read everything and deploy nowhere. */
const mallory = 'user:default/mallory';

const policy = createServiceFactory({
  service: coreServices.permissions,
  deps: {},
  factory: () => ({
    authorize: async (requests: any[], options: any) =>
      requests.map(r => ({
        result:
          r.permission.name === 'orchestrator.deployment.create' && options.credentials.principal.userEntityRef === mallory
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      })),
    authorizeConditional: async (requests: any[]) => requests.map(() => ({ result: AuthorizeResult.ALLOW })),
  }),
});

type ToolResult = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: any };

describe.each(databases.eachSupportedId())('Baton actions over MCP (%s)', databaseId => {
  let backend: TestBackend;
  let baseUrl: string;
  let dataDir: string;
  let rpcId = 0;

  /** One JSON-RPC request to the MCP endpoint as `user`; the answer's result (an SSE or JSON body). */
  async function mcp(user: string, method: string, params: object): Promise<any> {
    const response = await fetch(`${baseUrl}/api/mcp-actions/v1`, {
      method: 'POST',
      headers: {
        authorization: mockCredentials.user.header(user),
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params }),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    const json = response.headers.get('content-type')?.includes('text/event-stream')
      ? text.split('\n').find(line => line.startsWith('data: '))!.slice('data: '.length)
      : text;
    const answer = JSON.parse(json);
    if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
    return answer.result;
  }

  const call = (user: string, name: string, args: object): Promise<ToolResult> =>
    mcp(user, 'tools/call', { name: `orchestrator.${name}`, arguments: args });

  /** A tool's answer that must be a success. */
  async function output(user: string, name: string, args: object) {
    const result = await call(user, name, args);
    expect(result.isError ?? false).toBe(false);
    expect(JSON.parse(result.content[0].text)).toEqual(result.structuredContent);
    return result.structuredContent;
  }

  const rest = (method: string, url: string, body?: object) =>
    fetch(`${baseUrl}/api/orchestrator${url}`, {
      method,
      headers: { authorization: mockCredentials.user.header(alice), 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    }).then(async r => {
      expect(r.status).toBeLessThan(300);
      return r.json();
    });

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'baton-mcp-'));
    writeFileSync(path.join(dataDir, 'definitions.yaml'), definitions);
    backend = await startTestBackend({
      features: [
        orchestratorPlugin,
        mcpActionsPlugin,
        mockServices.database.factory({ knex: await databases.init(databaseId) }),
        mockServices.rootConfig.factory({
          data: {
            backend: { actions: { pluginSources: ['orchestrator'] } },
            orchestrator: { dataDir, definitions: [path.join(dataDir, 'definitions.yaml')] },
          },
        }),
        policy,
      ],
    });
    baseUrl = `http://localhost:${backend.server.port()}`;
    await rest('PUT', '/env-types/staging', {});
    await rest('PUT', '/apps/shop', {});
    await rest('PUT', '/apps/shop/envs/staging', { type: 'staging' });
    await rest('PUT', '/apps/shop/envs/qa', { type: 'staging' });
  });

  afterAll(async () => {
    await backend?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("lists Baton's actions as tools with their descriptions and input schemas", async () => {
    const { tools } = await mcp(alice, 'tools/list', {});
    const byName = new Map<string, any>(tools.map((t: any) => [t.name, t]));
    for (const name of ['plan', 'deploy', 'promote', 'rollback', 'explain', 'list-deployments', 'get-deployment-log']) {
      expect(byName.get(`orchestrator.${name}`)).toBeDefined();
    }
    const deploy = byName.get('orchestrator.deploy');
    expect(deploy.description).toContain('Deploys Score workloads');
    expect(deploy.inputSchema.required).toEqual(expect.arrayContaining(['app', 'env', 'workloads']));
    expect(Object.keys(deploy.inputSchema.properties)).toEqual(expect.arrayContaining(['dryRun', 'comment']));
    expect(byName.get('orchestrator.plan').annotations).toMatchObject({ readOnlyHint: true });
  });

  it('plans, deploys for real, follows the log, lists, explains, promotes and rolls back, never showing a secret', async () => {
    const answers: unknown[] = [];
    const keep = <T>(value: T) => {
      answers.push(value);
      return value;
    };
    const { plan } = keep(await output(alice, 'plan', { app: 'shop', env: 'staging', workloads: [web('1')] }));
    const db = plan.nodes.find((n: any) => n.type === 'postgres');
    expect(db).toMatchObject({ definition: 'shared-postgres', action: 'create', outputs: { host: 'pg.staging.internal' }, secretOutputs: ['password'] });
    expect(plan.nodes.find((n: any) => n.type === 'workload')).toMatchObject({ resId: 'modules.web', action: 'create' });

    const dry = keep(await output(alice, 'deploy', { app: 'shop', env: 'staging', workloads: [web('1')], dryRun: true }));
    expect(dry.deployment).toBeUndefined();
    expect(dry.plan.nodes.map((n: any) => [n.uid, n.action])).toEqual(plan.nodes.map((n: any) => [n.uid, n.action]));
    // A dry run deploys nothing.
    expect(keep(await output(alice, 'list-deployments', { app: 'shop', env: 'staging' })).items).toEqual([]);

    const queued = keep(await output(alice, 'deploy', { app: 'shop', env: 'staging', workloads: [web('1')], comment: 'first' }));
    expect(queued.deployment).toMatchObject({ app: 'shop', env: 'staging', status: 'queued', createdBy: alice, comment: 'first' });
    const first = queued.deployment.id;
    let followed = keep(await output(alice, 'get-deployment-log', { app: 'shop', env: 'staging', deploymentId: first }));
    while (!['succeeded', 'failed', 'cancelled'].includes(followed.deployment.status)) {
      await new Promise(resolve => setTimeout(resolve, 100));
      followed = keep(await output(alice, 'get-deployment-log', { app: 'shop', env: 'staging', deploymentId: first }));
    }
    expect(followed.deployment.status).toBe('succeeded');
    expect(followed.lines.length).toBeGreaterThan(0);
    const lastLine = followed.lines[followed.lines.length - 1].id;
    expect((await output(alice, 'get-deployment-log', { app: 'shop', env: 'staging', deploymentId: first, after: lastLine })).lines).toEqual([]);
    // The resource was provisioned with the definition's secret, which the REST API lists by key only too.
    const resources = await rest('GET', '/apps/shop/envs/staging/resources');
    expect(resources.find((r: any) => r.type === 'postgres').secretOutputs).toEqual(['password']);

    // Deployed again unchanged, the plan has nothing to do.
    const again = keep(await output(alice, 'plan', { app: 'shop', env: 'staging', workloads: [web('1')] }));
    expect(again.plan.nodes.every((n: any) => n.action === 'none')).toBe(true);

    const explained = keep(await output(alice, 'explain', { app: 'shop', env: 'staging', type: 'postgres', resId: 'modules.web.externals.db' }));
    expect(explained).toMatchObject({ chosen: 'shared-postgres', context: { envType: 'staging' } });
    expect(explained.candidates[0]).toMatchObject({ definition: 'shared-postgres', matched: true, reason: expect.stringContaining('chosen') });

    const promotion = keep(await output(alice, 'promote', { app: 'shop', env: 'qa', from: 'staging', dryRun: true }));
    expect(promotion.plan).toMatchObject({ env: 'qa' });
    expect(promotion.plan.nodes.find((n: any) => n.type === 'postgres').outputs.host).toBe('pg.qa.internal');
    const promoted = keep(await output(alice, 'promote', { app: 'shop', env: 'qa', from: 'staging' }));
    expect(promoted.deployment).toMatchObject({ env: 'qa', status: 'queued', comment: `Promote from staging (deployment ${first})` });

    await waitFor('qa', promoted.deployment.id);
    await waitFor('staging', await deployAs(alice, web('2')));
    const rollback = keep(await output(alice, 'rollback', { app: 'shop', env: 'staging', deploymentId: first, dryRun: true }));
    expect(rollback.plan.nodes.map((n: any) => n.uid)).toEqual(plan.nodes.map((n: any) => n.uid));
    const rolledBack = keep(await output(alice, 'rollback', { app: 'shop', env: 'staging', deploymentId: first }));
    expect(rolledBack.deployment).toMatchObject({ status: 'queued', comment: `Rollback to deployment ${first}` });
    await waitFor('staging', rolledBack.deployment.id);

    const across = keep(await output(alice, 'list-deployments', {}));
    expect(across.items.map((d: any) => d.env)).toEqual(expect.arrayContaining(['staging', 'qa']));
    const page = keep(await output(alice, 'list-deployments', { app: 'shop', env: 'staging', limit: 2 }));
    expect(page.items.map((d: any) => d.id)[0]).toBe(rolledBack.deployment.id);
    expect(page.nextCursor).toBeDefined();
    // The rollback deployed the first deployment's set again.
    expect(page.items[0].setId).toBe(followed.deployment.setId);
    expect(page.items[1].setId).not.toBe(followed.deployment.setId);

    // Nothing any action answered holds the secret (nor its base64 form).
    const everything = JSON.stringify(answers);
    expect(everything).toContain('password');
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(Buffer.from(SECRET).toString('base64'));
  });

  it('refuses a caller without the permission, and plans for them', async () => {
    const refused = await call(mallory, 'deploy', { app: 'shop', env: 'staging', workloads: [web('3')] });
    expect(refused.isError).toBe(true);
    expect(refused.content[0].text).toBe('NotAllowedError: orchestrator.deployment.create is not allowed on shop/staging');
    // Refused before the environment is looked up: nothing tells which environments exist.
    const elsewhere = await call(mallory, 'rollback', { app: 'nope', env: 'nope', deploymentId: 'x' });
    expect(elsewhere.content[0].text).toBe('NotAllowedError: orchestrator.deployment.create is not allowed on nope/nope');
    const promote = await call(mallory, 'promote', { app: 'shop', env: 'qa', from: 'staging' });
    expect(promote.content[0].text).toContain('NotAllowedError');
    const before = (await output(alice, 'list-deployments', { app: 'shop', env: 'staging' })).items.length;
    expect((await output(mallory, 'deploy', { app: 'shop', env: 'staging', workloads: [web('3')], dryRun: true })).plan.nodes.length).toBeGreaterThan(0);
    expect((await output(alice, 'list-deployments', { app: 'shop', env: 'staging' })).items.length).toBe(before);
  });

  it('answers bad input with an error naming the field', async () => {
    const unknownApp = await call(alice, 'plan', { app: 'nope', env: 'staging', workloads: [web('1')] });
    expect(unknownApp).toMatchObject({ isError: true });
    expect(unknownApp.content[0].text).toBe('NotFoundError: app: there is no app nope');
    const unknownEnv = await call(alice, 'deploy', { app: 'shop', env: 'prod', workloads: [web('1')] });
    expect(unknownEnv.content[0].text).toBe('NotFoundError: env: app shop has no environment prod');

    const invalid = await call(alice, 'deploy', { app: 'shop', env: 'staging', workloads: ['apiVersion: score.dev/v1b1\nmetadata: { name: web }\n'] });
    expect(invalid.isError).toBe(true);
    expect(invalid.content[0].text).toMatch(/^InputError: workloads\[0\].*containers/);
    const unknownResource = await call(alice, 'plan', {
      app: 'shop',
      env: 'staging',
      workloads: [web('1').replace('type: postgres', 'type: no-such-type')],
    });
    expect(unknownResource.isError).toBe(true);
    expect(unknownResource.content[0].text).toContain('no-such-type');

    const missing = await call(alice, 'rollback', { app: 'shop', env: 'staging', deploymentId: 'no-such-deployment', dryRun: true });
    expect(missing.content[0].text).toBe('NotFoundError: No deployment no-such-deployment in shop/staging');
    const noApp = await call(alice, 'plan', { env: 'staging', workloads: [web('1')] });
    expect(noApp.isError).toBe(true);
    // The registry's own check of the input schema: the zod issue names the missing field.
    expect(noApp.content[0].text).toMatch(/^InputError: Invalid input to action "orchestrator:plan"; caused by/);
    expect(JSON.parse(noApp.content[0].text.replace(/^[^[]*/, ''))).toEqual([expect.objectContaining({ path: ['app'] })]);

    const halfScope = await call(alice, 'list-deployments', { app: 'shop' });
    expect(halfScope.content[0].text).toBe('InputError: env: give the environment of app, or neither to list every app');
  });

  it('answers a deployment to an environment whose type requires approval as awaiting approval', async () => {
    await rest('PUT', '/env-types/production', { approval: { required: true } });
    await rest('PUT', '/apps/shop/envs/prod', { type: 'production' });
    const requested = await output(alice, 'deploy', { app: 'shop', env: 'prod', workloads: [web('1')] });
    expect(requested.deployment).toMatchObject({ env: 'prod', status: 'awaiting-approval', createdBy: alice });
    const { items } = await output(alice, 'list-deployments', { status: 'awaiting-approval' });
    expect(items.map((d: any) => d.id)).toContain(requested.deployment.id);
  });

  async function deployAs(user: string, workload: string): Promise<string> {
    return (await output(user, 'deploy', { app: 'shop', env: 'staging', workloads: [workload] })).deployment.id;
  }

  /** Follows a deployment through get-deployment-log until it finished; it must have succeeded. */
  async function waitFor(env: string, id: string) {
    for (;;) {
      const { deployment } = await output(alice, 'get-deployment-log', { app: 'shop', env, deploymentId: id });
      if (['succeeded', 'failed', 'cancelled'].includes(deployment.status)) {
        expect(deployment).toMatchObject({ id, status: 'succeeded' });
        return;
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  }
});
