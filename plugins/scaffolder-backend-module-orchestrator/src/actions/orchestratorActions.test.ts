import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import orchestratorPlugin from '@baton/backstage-plugin-orchestrator-backend';
import { AddressInfo } from 'node:net';
import { OrchestratorApiClient } from '@baton/backstage-plugin-orchestrator-common';
import { OrchestratorAccess } from './orchestratorAccess';
import { createOrchestratorAppCreateAction } from './orchestratorAppCreate';
import { createOrchestratorEnvironmentCreateAction } from './orchestratorEnvironmentCreate';
import { createOrchestratorDeployAction } from './orchestratorDeploy';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The actions talk to a real orchestrator backend over HTTP.
describe('orchestrator actions', () => {
  let access: OrchestratorAccess;
  let baseUrl: string;
  let stop: () => Promise<void>;

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-actions-'));
  beforeAll(async () => {
    fs.writeFileSync(
      path.join(dataDir, 'definitions.yaml'),
      'apiVersion: baton.dev/v1\nkind: ResourceDefinition\nmetadata: { id: pg }\nspec: { type: postgres, driver: echo, driverInputs: { values: { host: pg.internal }, secrets: { password: action-secret } }, criteria: [{}] }\n',
    );
    const backend = await startTestBackend({
      features: [
        orchestratorPlugin,
        mockServices.rootConfig.factory({
          data: { orchestrator: { dataDir, definitions: [path.join(dataDir, 'definitions.yaml')] } },
        }),
      ],
    });
    const { port } = backend.server.address() as AddressInfo;
    baseUrl = `http://localhost:${port}/api/orchestrator`;
    stop = () => backend.stop();
    access = {
      client: new OrchestratorApiClient({ discoveryApi: { getBaseUrl: async () => baseUrl } }),
      auth: mockServices.auth(),
    };
  });
  afterAll(async () => {
    await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const get = (route: string) =>
    fetch(`${baseUrl}${route}`, {
      headers: { authorization: mockCredentials.user.header() },
    });

  it('creates an app and an environment, and repeats harmlessly', async () => {
    await fetch(`${baseUrl}/env-types/development`, {
      method: 'PUT',
      headers: { authorization: mockCredentials.user.header(), 'content-type': 'application/json' },
      body: '{}',
    });
    const appAction = createOrchestratorAppCreateAction(access);
    const envAction = createOrchestratorEnvironmentCreateAction(access);

    for (let i = 0; i < 2; i++) {
      const appCtx = createMockActionContext({
        input: { app: 'payments', title: 'Payments', entityRef: 'component:default/payments' },
      });
      await appAction.handler(appCtx);
      expect(appCtx.output).toHaveBeenCalledWith('app', 'payments');

      const envCtx = createMockActionContext({
        input: { app: 'payments', env: 'dev', type: 'development' },
      });
      await envAction.handler(envCtx);
    }

    expect(await (await get('/apps/payments')).json()).toMatchObject({
      id: 'payments',
      title: 'Payments',
      entityRef: 'component:default/payments',
    });
    expect(await (await get('/apps/payments/envs/dev')).json()).toMatchObject({
      type: 'development',
    });
  });

  it("names the app's repository, which the orchestrator watches from then on", async () => {
    const appAction = createOrchestratorAppCreateAction(access);
    const repository = path.join(dataDir, 'repositories', 'billing.git');
    await appAction.handler(createMockActionContext({ input: { app: 'billing', repository } }));
    const app = await (await get('/apps/billing')).json();
    expect(app.repository).toEqual({ url: repository, branches: { main: 'dev' } });
    expect(app.watch).toEqual([{ repository, source: 'app', branch: 'main', environment: 'dev' }]);

    await appAction.handler(
      createMockActionContext({ input: { app: 'billing', repository, branches: { main: 'dev', release: 'staging' } } }),
    );
    expect((await (await get('/apps/billing')).json()).repository.branches).toEqual({ main: 'dev', release: 'staging' });
  });

  it('fails the step with the orchestrator error', async () => {
    const envAction = createOrchestratorEnvironmentCreateAction(access);
    const ctx = createMockActionContext({
      input: { app: 'payments', env: 'qa', type: 'nonexistent' },
    });
    await expect(envAction.handler(ctx)).rejects.toThrow(
      /No environment type nonexistent/,
    );
  });

  it('changes nothing in a dry run', async () => {
    const appAction = createOrchestratorAppCreateAction(access);
    const ctx = { ...createMockActionContext({ input: { app: 'dry' } }), isDryRun: true };
    await appAction.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('app', 'dry');
    expect((await get('/apps/dry')).status).toBe(404);
  });

  describe('baton:deploy', () => {
    const score = 'apiVersion: score.dev/v1b1\nmetadata: { name: web }\ncontainers:\n  main: { image: web }\nresources:\n  db: { type: postgres }\n';
    let deployAction: ReturnType<typeof createOrchestratorDeployAction>;
    beforeAll(() => {
      deployAction = createOrchestratorDeployAction({ ...access, pollIntervalMs: 20 });
    });

    async function contextWith(files: Record<string, string>, input: Record<string, unknown>) {
      const ctx = createMockActionContext({ input: input as any });
      fs.mkdirSync(ctx.workspacePath, { recursive: true });
      for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(ctx.workspacePath, file), text);
      return ctx;
    }

    it('deploys, streams the log into the task log and outputs the resources without secrets', async () => {
      const ctx = await contextWith({ 'score.yaml': score }, { app: 'payments', env: 'dev' });
      const info = jest.spyOn(ctx.logger, 'info');
      await deployAction.handler(ctx);
      expect(ctx.output).toHaveBeenCalledWith('status', 'succeeded');
      expect(ctx.output).toHaveBeenCalledWith('deploymentId', expect.any(String));
      expect(ctx.output).toHaveBeenCalledWith('resources', expect.objectContaining({
        'postgres.default#modules.web.externals.db': { host: 'pg.internal' },
      }));
      const logged = info.mock.calls.map(c => c[0]).join('\n');
      expect(logged).toContain('Deploying 1 workload(s) to payments/dev');
      expect(logged).toContain('Committed');
      expect(JSON.stringify((ctx.output as jest.Mock).mock.calls)).not.toContain('action-secret');
    });

    it('does not deploy twice when a task is retried', async () => {
      const before = (await (await get('/apps/payments/envs/dev/deployments')).json()).items.length;
      const checkpoints = new Map<string, unknown>();
      for (let attempt = 0; attempt < 2; attempt++) {
        const ctx = await contextWith({ 'score.yaml': score }, { app: 'payments', env: 'dev' });
        const retried = {
          ...ctx,
          task: { id: 'task-42' },
          checkpoint: async ({ key, fn }: { key: string; fn: () => Promise<unknown> }) => {
            if (!checkpoints.has(key)) checkpoints.set(key, await fn());
            return checkpoints.get(key);
          },
        } as typeof ctx;
        await deployAction.handler(retried);
      }
      const after = (await (await get('/apps/payments/envs/dev/deployments')).json()).items.length;
      expect(after - before).toBe(1);
    });

    it('ends the step once a deployment to an environment that requires approval awaits it', async () => {
      const put = (route: string, body: object) =>
        fetch(`${baseUrl}${route}`, {
          method: 'PUT',
          headers: { authorization: mockCredentials.user.header(), 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      await put('/env-types/protected', { approval: { required: true } });
      await put('/apps/payments/envs/prod', { type: 'protected' });
      const ctx = await contextWith({ 'score.yaml': score }, { app: 'payments', env: 'prod' });
      await deployAction.handler(ctx);
      expect(ctx.output).toHaveBeenCalledWith('status', 'awaiting-approval');
      const id = (ctx.output as jest.Mock).mock.calls.find(([name]) => name === 'deploymentId')[1];
      expect((await (await get(`/apps/payments/envs/prod/deployments/${id}`)).json()).status).toBe('awaiting-approval');
    });

    it('fails the step when the deployment fails, and plans in a dry run', async () => {
      const broken = score.replace('  db: { type: postgres }', '  db: { type: postgres }\n  queue: { type: kafka }');
      const ctx = await contextWith({ 'score.yaml': broken }, { app: 'payments', env: 'dev' });
      await expect(deployAction.handler(ctx)).rejects.toThrow(/failed: .*no resource definition matches kafka/);

      const dry = { ...(await contextWith({ 'score.yaml': score }, { app: 'payments', env: 'dev' })), isDryRun: true };
      await deployAction.handler(dry);
      expect(dry.output).toHaveBeenCalledWith('status', 'planned');
    });
  });
});
