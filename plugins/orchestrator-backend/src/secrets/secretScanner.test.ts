import { coreServices, createServiceFactory, LoggerService } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import git from 'isomorphic-git';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { defaultTerraformBinary } from '../drivers/terraform/TerraformDriver';
import { createTestOrchestrator } from '../__testUtils__/createTestOrchestrator';

jest.setTimeout(60_000);

// A secret scanner: known secret values provisioned through the echo,
// postgres and terraform drivers appear in no API response, log line, Git commit or error.
const ECHO_SECRET = 'scanner-echo-secret-8d1f';
// A secret variable of a Terraform module and a sensitive output derived from it.
const TF_SECRET = 'scanner-terraform-secret-5e07';
// The terraform part needs Terraform (or OpenTofu) on PATH; the rest runs without.
const withTerraform = spawnSync(defaultTerraformBinary(), ['version'], { stdio: 'ignore' }).status === 0;
const ADMIN_SECRET = 'scanner-admin-secret-41c2';
const pgUrl = new URL(process.env.BATON_TEST_POSTGRES_URL && process.env.BATON_TEST_POSTGRES_URL !== 'none'
  ? process.env.BATON_TEST_POSTGRES_URL
  : 'postgresql://postgres@127.0.0.1:5432');
const withPostgres = process.env.BATON_TEST_POSTGRES_URL !== 'none';

function capturingLogger(lines: string[]): LoggerService {
  const log = (level: string) => (message: string, meta?: unknown) => {
    lines.push(`${level} ${message} ${meta instanceof Error ? `${meta.message} ${meta.stack}` : JSON.stringify(meta ?? {})}`);
  };
  const logger: LoggerService = {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: () => logger,
  };
  return logger;
}

(withPostgres ? describe : describe.skip)('secrets', () => {
  it('never show up in responses, logs, Git history or errors', async () => {
    const lines: string[] = [];
    const { api, dataDir, stop } = await createTestOrchestrator({
      definitions: `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: pg-real }
spec:
  type: postgres
  driver: postgres
  driverInputs:
    values: { host: "${pgUrl.hostname}", port: ${Number(pgUrl.port || 5432)}, adminUser: "${decodeURIComponent(pgUrl.username) || 'postgres'}" }
    secrets: { adminPassword: "${decodeURIComponent(pgUrl.password) || ADMIN_SECRET}" }
  criteria: [{}]
---
apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: api-key }
spec:
  type: api-key
  driver: echo
  driverInputs:
    values: { user: shop }
    secrets: { key: ${ECHO_SECRET} }
  criteria: [{}]
---
apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: tf-token }
spec:
  type: tf-token
  driver: terraform
  driverInputs:
    values:
      script: |
        variable "seed" {
          type      = string
          sensitive = true
        }
        resource "terraform_data" "token" { input = "\${var.seed}-derived" }
        output "token" {
          value     = terraform_data.token.output
          sensitive = true
        }
        output "issuer" { value = "terraform" }
    secrets: { variables: { seed: ${TF_SECRET} } }
  criteria: [{}]
---
apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: broken }
spec:
  type: broken
  driver: template
  driverInputs:
    values:
      templates:
        outputs: "x: {{ driver.secrets.key }}: {{ (1,"
    secrets: { key: ${ECHO_SECRET} }
  criteria: [{}]
`,
      environments: { 'shop/dev': 'development' },
      features: [createServiceFactory({ service: coreServices.rootLogger, deps: {}, factory: () => capturingLogger(lines) })],
    });
    const bodies: string[] = [];
    const get = async (p: string) => {
      const res = await api.get(`/api/orchestrator${p}`);
      bodies.push(res.text);
      return res;
    };

    const workload = (extra = '') => `apiVersion: score.dev/v1b1
metadata: { name: web }
containers:
  main:
    image: web
    variables:
      DB: "postgres://\${resources.db.username}:\${resources.db.password}@\${resources.db.host}"
      KEY: "\${resources.key.key}"
${withTerraform ? '      TOKEN: "${resources.token.token}"\n' : ''}resources:
  db: { type: postgres }
  key: { type: api-key }
${withTerraform ? '  token: { type: tf-token }\n' : ''}${extra}`;
    // Polled through get(), so every answer on the way is scanned too; the test's timeout is the limit.
    const wait = async (id: string) => {
      for (;;) {
        const res = await get(`/apps/shop/envs/dev/deployments/${id}`);
        if (['succeeded', 'failed'].includes(res.body.status)) return res.body;
        await new Promise(r => setTimeout(r, 50));
      }
    };

    const dry = await api.post('/api/orchestrator/apps/shop/envs/dev/deployments').send({ workloads: [workload()], dryRun: true });
    bodies.push(dry.text);
    const ok = await api.post('/api/orchestrator/apps/shop/envs/dev/deployments').send({ workloads: [workload()] });
    expect((await wait(ok.body.id)).status).toBe('succeeded');
    const failing = await api
      .post('/api/orchestrator/apps/shop/envs/dev/deployments')
      .send({ workloads: [workload('  bad: { type: broken }\n')] });
    const failed = await wait(failing.body.id);
    expect(failed.status).toBe('failed');

    for (const p of [
      `/apps/shop/envs/dev/deployments/${ok.body.id}/log`,
      `/apps/shop/envs/dev/deployments/${failing.body.id}/log`,
      `/apps/shop/envs/dev/deployments/${ok.body.id}/manifests`,
      `/apps/shop/envs/dev/deployments/${ok.body.id}/plan`,
      '/apps/shop/envs/dev/deployments',
      '/apps/shop/envs/dev/resources',
      '/apps/shop/envs/dev/graph',
      '/resources',
      '/resource-definitions',
      '/resource-definitions/api-key',
      '/resource-types',
      '/explain?type=postgres&app=shop&env=dev&resId=modules.web.externals.db',
    ]) {
      expect((await get(p)).status).toBe(200);
    }
    // The plan names every node with its outputs by key; one that stopped before delivering kept none.
    const plan = (await get(`/apps/shop/envs/dev/deployments/${ok.body.id}/plan`)).body;
    expect(plan.nodes.find((n: { type: string }) => n.type === 'postgres')).toMatchObject({ definition: expect.any(String), secretOutputs: expect.arrayContaining(['password']) });
    const missing = await get(`/apps/shop/envs/dev/deployments/${failing.body.id}/plan`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(/kept no plan: it stopped before delivering/);

    // The generated postgres password, as the External Secrets webhook sees it.
    const delivered = await api
      .get('/api/orchestrator/secrets/shop/dev/web-secrets')
      .set('Authorization', mockCredentials.service.header())
      .expect(200);
    const generated = /postgres:\/\/[^:]+:([^@]+)@/.exec(delivered.body.data['main.DB'])![1];
    expect(delivered.body.data['main.KEY']).toBe(ECHO_SECRET);
    expect(delivered.body.data['main.TOKEN']).toBe(withTerraform ? `${TF_SECRET}-derived` : undefined);

    const gitDir = path.join(dataDir, 'gitops');
    const history: string[] = [];
    for (const { oid } of await git.log({ fs, gitdir: gitDir })) {
      for (const file of await git.listFiles({ fs, gitdir: gitDir, ref: oid })) {
        history.push(Buffer.from((await git.readBlob({ fs, gitdir: gitDir, oid, filepath: file })).blob).toString());
      }
    }

    const haystacks = { responses: bodies.join('\n'), logs: lines.join('\n'), git: history.join('\n'), error: JSON.stringify(failed) };
    for (const [where, text] of Object.entries(haystacks)) {
      for (const secret of [ECHO_SECRET, ADMIN_SECRET, generated, TF_SECRET]) {
        expect({ where, leaked: text.includes(secret) || text.includes(Buffer.from(secret).toString('base64')) }).toEqual({ where, leaked: false });
      }
    }
    expect(lines.length).toBeGreaterThan(0);

    // Clean up the database and role the postgres driver created.
    const db = (await get('/apps/shop/envs/dev/resources')).body.find((r: { type: string }) => r.type === 'postgres');
    await api.put('/api/orchestrator/apps/shop/envs/dev').send({ type: 'development' });
    await api.delete(`/api/orchestrator/apps/shop/envs/dev/resources/${encodeURIComponent(db.uid)}?force=true`).expect(204);
    await stop();
  });
});
