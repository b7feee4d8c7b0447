import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import orchestratorPlugin from '@baton/backstage-plugin-orchestrator-backend';
import { AddressInfo } from 'node:net';
import { OrchestratorApiClient } from '../client/OrchestratorApiClient';
import { createOrchestratorAppCreateAction } from './orchestratorAppCreate';
import { createOrchestratorEnvironmentCreateAction } from './orchestratorEnvironmentCreate';

// The actions talk to a real orchestrator backend over HTTP.
describe('orchestrator actions', () => {
  let client: OrchestratorApiClient;
  let baseUrl: string;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const backend = await startTestBackend({ features: [orchestratorPlugin] });
    const { port } = backend.server.address() as AddressInfo;
    baseUrl = `http://localhost:${port}/api/orchestrator`;
    stop = () => backend.stop();
    client = new OrchestratorApiClient({
      auth: mockServices.auth(),
      discovery: { getBaseUrl: async () => baseUrl, getExternalBaseUrl: async () => baseUrl },
    });
  });
  afterAll(() => stop());

  const get = (path: string) =>
    fetch(`${baseUrl}${path}`, {
      headers: { authorization: mockCredentials.user.header() },
    });

  it('creates an app and an environment, and repeats harmlessly', async () => {
    await fetch(`${baseUrl}/env-types/development`, {
      method: 'PUT',
      headers: { authorization: mockCredentials.user.header(), 'content-type': 'application/json' },
      body: '{}',
    });
    const appAction = createOrchestratorAppCreateAction({ client });
    const envAction = createOrchestratorEnvironmentCreateAction({ client });

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

  it('fails the step with the orchestrator error', async () => {
    const envAction = createOrchestratorEnvironmentCreateAction({ client });
    const ctx = createMockActionContext({
      input: { app: 'payments', env: 'qa', type: 'nonexistent' },
    });
    await expect(envAction.handler(ctx)).rejects.toThrow(
      /No environment type nonexistent/,
    );
  });

  it('changes nothing in a dry run', async () => {
    const appAction = createOrchestratorAppCreateAction({ client });
    const ctx = { ...createMockActionContext({ input: { app: 'dry' } }), isDryRun: true };
    await appAction.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('app', 'dry');
    expect((await get('/apps/dry')).status).toBe(404);
  });
});
