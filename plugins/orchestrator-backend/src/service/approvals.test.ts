import { coreServices, createBackendModule, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { ORCHESTRATOR_EVENTS_TOPIC } from '@baton/backstage-plugin-orchestrator-common';
import { createTestOrchestrator, type TestOrchestrator } from '../__testUtils__/createTestOrchestrator';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';

jest.setTimeout(120_000);

// Deployments to an environment whose type requires approval wait, with
// their plan, for someone other than their requester to approve or reject them.

const databases = TestDatabases.create({ ids: testDatabaseIds });

const SECRET = 'approval-test-secret-value';
const definitions = `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: pg }
spec:
  type: postgres
  driver: echo
  driverInputs:
    values: { host: "pg.\${context.env.id}.internal" }
    secrets: { password: ${SECRET} }
  criteria: [{}]
`;
const web = (tag: string) => `apiVersion: score.dev/v1b1
metadata: { name: web }
containers:
  main:
    image: web:${tag}
    variables: { DB: "\${resources.db.host}", PASSWORD: "\${resources.db.password}" }
resources:
  db: { type: postgres }
`;

const REQUESTER = 'user:default/mock'; // who the test backend says a request without a token comes from
const alice = mockCredentials.user.header('user:default/alice');
const mallory = mockCredentials.user.header('user:default/mallory');
const prod = '/api/orchestrator/apps/shop/envs/prod';

/** Every permission, except approving for mallory. */
const policy = createServiceFactory({
  service: coreServices.permissions,
  deps: {},
  factory: () => ({
    authorize: async (requests: any[], options: any) =>
      requests.map(r => ({
        result:
          r.permission.name === 'orchestrator.deployment.approve' &&
          options.credentials.principal.userEntityRef === 'user:default/mallory'
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      })),
    authorizeConditional: async (requests: any[]) => requests.map(() => ({ result: AuthorizeResult.ALLOW })),
  }),
});

/** Records the deployment events the orchestrator publishes. */
function eventRecorder(published: any[]) {
  return createBackendModule({
    pluginId: 'orchestrator',
    moduleId: 'approval-event-recorder',
    register(reg) {
      reg.registerInit({
        deps: { events: eventsServiceRef },
        async init({ events }) {
          await events.subscribe({
            id: 'approval-event-recorder',
            topics: [ORCHESTRATOR_EVENTS_TOPIC],
            onEvent: async ({ eventPayload }) => void published.push(eventPayload),
          });
        },
      });
    },
  });
}

describe.each(databases.eachSupportedId())('approvals (%s)', databaseId => {
  let orchestrator: TestOrchestrator;
  let published: any[];
  beforeEach(async () => {
    published = [];
    orchestrator = await createTestOrchestrator({
      knex: await databases.init(databaseId),
      definitions,
      environments: { 'shop/staging': 'staging', 'shop/prod': 'production' },
      features: [policy, eventRecorder(published)],
    });
    await orchestrator.api
      .put('/api/orchestrator/env-types/production')
      .send({ name: 'Production', approval: { required: true, approvers: ['group:default/platform'] } })
      .expect(200);
  });
  afterEach(() => orchestrator.stop());

  it('a promotion waits with its plan, is never approved by its requester or without the permission, and runs once approved', async () => {
    const { api, deploy, waitForDeployment } = orchestrator;
    const type = await api.get('/api/orchestrator/env-types/production').expect(200);
    expect(type.body).toMatchObject({ id: 'production', source: 'api', approval: { required: true, approvers: ['group:default/platform'] } });
    await waitForDeployment('shop', 'staging', await deploy('shop', 'staging', [web('1')]));

    const promoted = await api.post(`${prod}/promote`).send({ from: 'staging' }).expect(202);
    expect(promoted.body.status).toBe('awaiting-approval');
    const id = promoted.body.id;
    const waiting = await api.get(`${prod}/deployments/${id}`).expect(200);
    expect(waiting.body).toMatchObject({ status: 'awaiting-approval', createdBy: REQUESTER });
    expect(waiting.body.diff.added).toEqual(expect.arrayContaining([expect.stringContaining('postgres')]));
    const plan = await api.get(`${prod}/deployments/${id}/plan`).expect(200);
    expect(plan.body.nodes.find((n: { type: string }) => n.type === 'postgres')).toMatchObject({
      action: 'create',
      outputs: { host: 'pg.prod.internal' },
      secretOutputs: ['password'],
    });
    expect(plan.body.nodes.every((n: { action: string }) => n.action === 'create')).toBe(true);

    // The queue works on (another environment's deployment runs) and leaves the waiting one alone.
    await waitForDeployment('shop', 'staging', await deploy('shop', 'staging', [web('2')]));
    expect((await api.get(`${prod}/deployments/${id}`).expect(200)).body.status).toBe('awaiting-approval');
    const awaiting = await api.get('/api/orchestrator/deployments?status=awaiting-approval').expect(200);
    expect(awaiting.body.items.map((d: { id: string; app: string; env: string }) => [d.id, d.app, d.env])).toEqual([[id, 'shop', 'prod']]);

    const own = await api.post(`${prod}/deployments/${id}/approve`).send({}).expect(403);
    expect(own.body.error.message).toBe(`${REQUESTER} requested deployment ${id} and cannot approve it: someone else must`);
    const denied = await api.post(`${prod}/deployments/${id}/approve`).set('Authorization', mallory).send({}).expect(403);
    expect(denied.body.error.message).toBe('orchestrator.deployment.approve is not allowed on shop/prod');
    expect((await api.get(`${prod}/deployments/${id}`).expect(200)).body.status).toBe('awaiting-approval');

    const approved = await api
      .post(`${prod}/deployments/${id}/approve`)
      .set('Authorization', alice)
      .send({ comment: 'Reviewed the plan' })
      .expect(200);
    expect(approved.body).toMatchObject({ status: 'queued', decidedBy: 'user:default/alice', decisionComment: 'Reviewed the plan' });
    const twice = await api.post(`${prod}/deployments/${id}/approve`).set('Authorization', alice).send({}).expect(409);
    expect(twice.body.error.message).toMatch(new RegExp(`^Deployment ${id} is (queued|running|succeeded) \\(approved by user:default/alice at .*\\): only a deployment awaiting approval can be approved or rejected$`));

    const done = await waitForDeployment('shop', 'prod', id);
    expect(done).toMatchObject({ status: 'succeeded', createdBy: REQUESTER, decidedBy: 'user:default/alice', decisionComment: 'Reviewed the plan' });
    expect(Date.parse(done.decidedAt)).toBeLessThanOrEqual(Date.parse(done.startedAt));
    const history = await api.get(`${prod}/deployments`).expect(200);
    expect(history.body.items[0]).toMatchObject({ id, decidedBy: 'user:default/alice' });
    const log = (await api.get(`${prod}/deployments/${id}/log`).expect(200)).body.lines.map((l: { message: string }) => l.message);
    expect(log.slice(0, 2)).toEqual([
      `Requested by ${REQUESTER}; awaiting approval: the environment's type requires it (approvers: group:default/platform)`,
      'Approved by user:default/alice: Reviewed the plan',
    ]);
    // A finished deployment cannot be rejected either.
    await api.post(`${prod}/deployments/${id}/reject`).set('Authorization', alice).send({}).expect(409);

    // A rollback to the protected environment waits too.
    const rollback = await api.post(`${prod}/deployments/${id}/rollback`).expect(202);
    expect(rollback.body.status).toBe('awaiting-approval');

    // The finished event is published once the deployment's status is written: wait for it, however long.
    while (!published.some(e => e.deploymentId === id && e.type === 'deployment.finished')) await new Promise(r => setTimeout(r, 20));
    const about = published.filter(e => e.deploymentId === id).map(e => [e.type, e.status, e.requestedBy, e.decidedBy]);
    expect(about).toEqual([
      ['deployment.approval-requested', 'awaiting-approval', REQUESTER, undefined],
      ['deployment.approval-decided', 'queued', REQUESTER, 'user:default/alice'],
      ['deployment.started', 'running', undefined, undefined],
      ['deployment.finished', 'succeeded', undefined, undefined],
    ]);
    expect(JSON.stringify([waiting.body, plan.body, approved.body, history.body, log, published])).not.toContain(SECRET);
  });

  it('a newer request supersedes a waiting one, and a rejected deployment never runs', async () => {
    const { api, deploy } = orchestrator;
    const first = await deploy('shop', 'prod', [web('1')]);
    const second = await deploy('shop', 'prod', [web('2')]);

    const superseded = (await api.get(`${prod}/deployments/${first}`).expect(200)).body;
    expect(superseded).toMatchObject({ status: 'cancelled', error: `Superseded by deployment ${second}, requested later for the same environment` });
    const late = await api.post(`${prod}/deployments/${first}/approve`).set('Authorization', alice).send({}).expect(409);
    expect(late.body.error.message).toBe(
      `Deployment ${first} is cancelled (Superseded by deployment ${second}, requested later for the same environment): only a deployment awaiting approval can be approved or rejected`,
    );
    const firstLog = (await api.get(`${prod}/deployments/${first}/log`).expect(200)).body.lines.map((l: { message: string }) => l.message);
    expect(firstLog).toContain(`Cancelled without running: deployment ${second}, requested later by ${REQUESTER}, supersedes it`);

    await api.post(`${prod}/deployments/no-such-deployment/reject`).set('Authorization', alice).send({}).expect(404);
    const rejected = await api
      .post(`${prod}/deployments/${second}/reject`)
      .set('Authorization', alice)
      .send({ comment: 'Not during the sale' })
      .expect(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', decidedBy: 'user:default/alice', decisionComment: 'Not during the sale' });
    expect(rejected.body.finishedAt).toBeDefined();
    const again = await api.post(`${prod}/deployments/${second}/approve`).set('Authorization', alice).send({}).expect(409);
    expect(again.body.error.message).toMatch(/is rejected \(rejected by user:default\/alice at .*\)/);

    // Once a deployment that does run has finished, the rejected one still has not run and has no nodes.
    await api.put('/api/orchestrator/env-types/production').send({ name: 'Production' }).expect(200);
    const third = await deploy('shop', 'prod', [web('3')]);
    expect((await orchestrator.waitForDeployment('shop', 'prod', third)).status).toBe('succeeded');
    const after = (await api.get(`${prod}/deployments/${second}`).expect(200)).body;
    expect(after).toMatchObject({ status: 'rejected', nodes: [] });
    expect(after.startedAt).toBeUndefined();
    expect((await api.get('/api/orchestrator/deployments?status=awaiting-approval').expect(200)).body.items).toEqual([]);

    expect(published.filter(e => e.deploymentId === first).map(e => [e.type, e.status])).toEqual([
      ['deployment.approval-requested', 'awaiting-approval'],
      ['deployment.finished', 'cancelled'],
    ]);
    expect(published.filter(e => e.deploymentId === second).map(e => [e.type, e.status, e.decidedBy])).toEqual([
      ['deployment.approval-requested', 'awaiting-approval', undefined],
      ['deployment.approval-decided', 'rejected', 'user:default/alice'],
    ]);
  });

  it('names the field of a bad approval setting', async () => {
    const { api } = orchestrator;
    const bad = await api.put('/api/orchestrator/env-types/production').send({ approval: { required: true, approvers: ['platform team'] } }).expect(400);
    expect(bad.body.error.message).toMatch(/^request\/body\/approval\/approvers\/0 must match pattern/);
    const missing = await api.put('/api/orchestrator/env-types/production').send({ approval: { approvers: [] } }).expect(400);
    expect(missing.body.error.message).toBe("request/body/approval must have required property 'required'");
    const comment = await api.post(`${prod}/deployments/any/approve`).set('Authorization', alice).send({ comment: 42 }).expect(400);
    expect(comment.body.error.message).toBe('request/body/comment must be string');
  });
});
