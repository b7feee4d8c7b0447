import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import orchestratorPlugin from '@baton/backstage-plugin-orchestrator-backend';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import yaml from 'yaml';
import { scaffolderModuleOrchestrator } from './module';

jest.setTimeout(120_000);

// The golden-path template, run through the scaffolder's dry-run API with
// Baton's actions and a real orchestrator backend.
const templateDir = path.resolve(__dirname, '../../../examples/templates/score-service');

function directoryContents(dir: string, base = dir): { path: string; base64Content: string }[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return directoryContents(full, base);
    return [{ path: path.relative(base, full), base64Content: fs.readFileSync(full).toString('base64') }];
  });
}

describe('the score-service template', () => {
  it('dry-runs: writes the Score file with the chosen resources and plans the deployment', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-template-'));
    fs.writeFileSync(
      path.join(dataDir, 'platform.yaml'),
      `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: pg }
spec: { type: postgres, driver: echo, driverInputs: { values: { host: pg } }, criteria: [{}] }
---
apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: s3 }
spec: { type: s3, driver: echo, driverInputs: { values: { bucket: b } }, criteria: [{}] }
---
apiVersion: baton.dev/v1
kind: EnvironmentType
metadata: { id: development }
---
apiVersion: baton.dev/v1
kind: Environment
metadata: { app: payments, id: dev }
spec: { type: development }
`,
    );
    const backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        scaffolderModuleOrchestrator,
        orchestratorPlugin,
        catalogServiceMock.factory(),
        mockServices.rootConfig.factory({
          data: { orchestrator: { dataDir, definitions: [path.join(dataDir, 'platform.yaml')] } },
        }),
      ],
    });
    const template = yaml.parse(fs.readFileSync(path.join(templateDir, 'template.yaml'), 'utf8'));
    const res = await request(backend.server)
      .post('/api/scaffolder/v2/dry-run')
      .send({
        template,
        values: { name: 'payments', owner: 'group:default/guests', image: 'payments:1', port: 8080, resources: ['postgres', 's3'], environment: 'dev' },
        directoryContents: directoryContents(templateDir),
      });
    expect({ status: res.status, error: res.body.error?.message }).toEqual({ status: 200, error: undefined });
    const log = res.body.log.map((l: { body: { message: string } }) => l.body.message).join('\n');
    expect(res.body.steps.map((s: { id: string }) => s.id)).toEqual([
      'fetch', 'score', 'add-resources', 'publish', 'app', 'environment', 'deploy',
    ]);
    expect(log).toMatch(/create postgres\.default#modules\.payments\.externals\.postgres/);
    expect(log).toMatch(/create s3\.default#modules\.payments\.externals\.s3/);

    const files = Object.fromEntries(
      res.body.directoryContents.map((f: { path: string; base64Content: string }) => [f.path, Buffer.from(f.base64Content, 'base64').toString()]),
    );
    expect(yaml.parse(files['score.yaml'])).toEqual({
      apiVersion: 'score.dev/v1b1',
      metadata: { name: 'payments' },
      // The chosen resources' outputs reach the container.
      containers: {
        main: {
          image: 'payments:1',
          variables: {
            DATABASE_URL:
              'postgresql://${resources.postgres.username}:${resources.postgres.password}@${resources.postgres.host}:${resources.postgres.port}/${resources.postgres.name}',
            S3_BUCKET: '${resources.s3.bucket}',
            S3_ENDPOINT: '${resources.s3.endpoint}',
            S3_REGION: '${resources.s3.region}',
            AWS_ACCESS_KEY_ID: '${resources.s3.aws_access_key_id}',
            AWS_SECRET_ACCESS_KEY: '${resources.s3.aws_secret_key}',
          },
        },
      },
      service: { ports: { http: { port: 8080 } } },
      resources: { postgres: { type: 'postgres' }, s3: { type: 's3' } },
    });
    expect(yaml.parse(files['catalog-info.yaml']).metadata.annotations['baton.dev/app']).toBe('payments');

    // A dry run changes nothing in the orchestrator.
    const deployments = await request(backend.server).get('/api/orchestrator/apps/payments/envs/dev/deployments');
    expect(deployments.body.items).toEqual([]);
    await backend.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
