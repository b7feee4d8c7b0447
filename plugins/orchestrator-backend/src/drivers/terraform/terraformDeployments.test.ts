import { TestDatabases } from '@backstage/backend-test-utils';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseTerraformStateStore } from '../../database/TerraformStateStore';
import { SecretBox } from '../../secrets/SecretBox';
import { createTestOrchestrator } from '../../__testUtils__/createTestOrchestrator';
import { testDatabaseIds } from '../../__testUtils__/testDatabaseIds';
import { defaultTerraformBinary } from './TerraformDriver';

const binary = process.env.BATON_TEST_TERRAFORM ?? defaultTerraformBinary();
const available = spawnSync(binary, ['version'], { stdio: 'ignore' }).status === 0;
jest.setTimeout(90_000);

const databases = TestDatabases.create({ ids: testDatabaseIds });
const ACCESS_KEY = `ak-${randomBytes(8).toString('hex')}`;

// An s3 bucket as a module: terraform_data stands in for the cloud bucket.
const definition = `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: s3-terraform }
spec:
  type: s3
  driver: terraform
  driverInputs:
    values:
      script: |
        variable "name" { type = string }
        variable "access_key" {
          type      = string
          sensitive = true
        }
        resource "terraform_data" "bucket" { input = var.name }
        output "bucket" { value = terraform_data.bucket.output }
        output "region" { value = "local-1" }
        output "credentials" {
          value     = "\${var.name}:\${var.access_key}"
          sensitive = true
        }
      variables: { name: "\${context.app.id}-\${context.env.id}-\${context.res.id}" }
    secrets:
      variables: { access_key: ${ACCESS_KEY} }
  criteria: [{}]
`;

const score = (withBucket: boolean) => `apiVersion: score.dev/v1b1
metadata: { name: web }
containers:
  main:
    image: web:1
    variables:
      BUCKET: "${withBucket ? '${resources.bucket.bucket}' : 'none'}"
${withBucket ? '      S3_CREDENTIALS: "${resources.bucket.credentials}"\n' : ''}resources:
${withBucket ? '  bucket: { type: s3 }\n' : '  {}\n'}`;

(available ? describe.each(databases.eachSupportedId()) : describe.skip.each(databases.eachSupportedId()))('terraform resources through the API (%s)', id => {
  it('provisions a module, keeps it unchanged on redeploy, corrects drift and destroys it when deprovisioned', async () => {
    const knex = await databases.init(id);
    const key = randomBytes(32).toString('base64');
    const { api, dataDir, deploy: queue, waitForDeployment, stop } = await createTestOrchestrator({
      knex,
      orchestrator: { secrets: { key } },
      environments: { 'shop/dev': 'development' },
    });
    try {
      const base = '/api/orchestrator/apps/shop/envs/dev';
      await api.put('/api/orchestrator/resource-definitions/s3-terraform').set('Content-Type', 'application/yaml').send(definition).expect(200);

      const deploy = async (withBucket: boolean) => {
        const deploymentId = await queue('shop', 'dev', [score(withBucket)]);
        const deployment = await waitForDeployment('shop', 'dev', deploymentId);
        const log = await api.get(`${base}/deployments/${deploymentId}/log`).expect(200);
        return { deployment, log: log.body.lines.map((l: { message: string }) => l.message).join('\n') as string };
      };

      const first = await deploy(true);
      expect(`${first.deployment.status}\n${first.log}`).toMatch(/^succeeded/);
      expect(first.log).toContain('terraform: Apply complete! Resources: 1 added, 0 changed, 0 destroyed.');
      const resources = (await api.get(`${base}/resources`).expect(200)).body;
      const bucket = resources.find((r: { type: string }) => r.type === 's3');
      expect(bucket).toMatchObject({
        status: 'active',
        definition: 's3-terraform',
        outputs: { bucket: 'shop-dev-modules.web.externals.bucket', region: 'local-1' },
        secretOutputs: ['credentials'],
        // The last run's plan summary is shown; the state never is.
        lastRun: { operation: 'apply', add: 1, change: 0, destroy: 0, at: expect.any(String) },
      });
      const listed = (await api.get('/api/orchestrator/resources').expect(200)).body.items.find((r: { uid: string }) => r.uid === bucket.uid);
      expect(listed.lastRun).toEqual(bucket.lastRun);
      // Sensitive outputs and secret variables appear in no answer; the state is encrypted in the database.
      for (const body of [first, resources]) expect(JSON.stringify(body)).not.toContain(ACCESS_KEY);
      const states = await DatabaseTerraformStateStore.create({ database: { getClient: async () => knex } });
      const cipher = await SecretBox.fromKeyOrDataDir({ key, dataDir });
      const stored = (await states.getState(bucket.guresid))!;
      expect(stored).not.toContain(ACCESS_KEY);
      expect(cipher.decrypt<string>(stored)).toContain(ACCESS_KEY);

      // The same inputs again: Terraform is not run.
      const again = await deploy(true);
      expect(again.deployment.status).toBe('succeeded');
      expect(again.log).not.toContain('terraform:');

      // The bucket is removed behind Baton's back: the drift check finds it and the correction makes it again.
      const state = JSON.parse(cipher.decrypt<string>(stored));
      await states.putState(bucket.guresid, cipher.encrypt(JSON.stringify({ ...state, serial: state.serial + 1, resources: [] })));
      const drift = (await api.post(`${base}/drift`).expect(200)).body;
      expect(drift.items).toEqual([{ uid: bucket.uid, kind: 'missing', detail: 'terraform would create terraform_data.bucket' }]);
      // The drift check queued a correction; it is the newest deployment.
      const correction = (await api.get(`${base}/deployments?limit=1`).expect(200)).body.items[0];
      expect(correction.createdBy).toBe('baton:drift');
      expect((await waitForDeployment('shop', 'dev', correction.id)).status).toBe('succeeded');
      expect(JSON.parse(cipher.decrypt<string>((await states.getState(bucket.guresid))!)).resources).toHaveLength(1);
      expect((await api.post(`${base}/drift`).expect(200)).body.items).toEqual([]);
      const corrected = (await api.get(`${base}/resources`).expect(200)).body.find((r: { uid: string }) => r.uid === bucket.uid);
      expect(corrected.lastRun).toMatchObject({ operation: 'apply', add: 1 });
      expect(JSON.stringify(corrected)).not.toContain('lineage');

      // The bucket leaves the Score file: orphaned, then destroyed on request, its state gone.
      expect((await deploy(false)).deployment.status).toBe('succeeded');
      expect((await api.get(`${base}/resources`).expect(200)).body.find((r: { type: string }) => r.type === 's3').status).toBe('orphaned');
      await api.delete(`${base}/resources/${encodeURIComponent(bucket.uid)}`).expect(204);
      expect(await states.getState(bucket.guresid)).toBeUndefined();
      expect(fs.readdirSync(path.join(dataDir, 'terraform', 'runs'))).toEqual([]);
    } finally {
      await stop();
    }
  });
});
