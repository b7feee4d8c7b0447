import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { orchestratorPlugin } from './plugin';

describe('orchestratorPlugin', () => {
  it('answers health for signed-in users and services', async () => {
    const { server } = await startTestBackend({
      features: [orchestratorPlugin],
    });

    await request(server)
      .get('/api/orchestrator/health')
      .set('Authorization', mockCredentials.user.header())
      .expect(200, { status: 'ok' });
    await request(server)
      .get('/api/orchestrator/health')
      .set('Authorization', mockCredentials.service.header())
      .expect(200, { status: 'ok' });
  });

  it('refuses requests without credentials', async () => {
    const { server } = await startTestBackend({
      features: [orchestratorPlugin],
    });

    const response = await request(server)
      .get('/api/orchestrator/health')
      .set('Authorization', mockCredentials.none.header());
    expect(response.status).toBe(401);
  });
});
