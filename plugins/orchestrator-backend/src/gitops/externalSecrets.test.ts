import { mockCredentials } from '@backstage/backend-test-utils';
import { JSONPath } from 'jsonpath-plus';
import yaml from 'yaml';
import { createTestOrchestrator } from '../__testUtils__/createTestOrchestrator';

jest.setTimeout(60_000);

const SECRET = 'external-secrets-test-value';

describe('GitOps delivery through External Secrets', () => {
  it("resolves every ExternalSecret key through the SecretStore's URL and JSONPath, keys with dots, dashes and underscores", async () => {
    const { api, deploy, waitForDeployment, stop } = await createTestOrchestrator({
      definitions: `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: store }
spec:
  type: s3
  driver: echo
  driverInputs:
    values: { bucket: assets }
    secrets: { secret_key: ${SECRET} }
  criteria: [{}]
`,
      orchestrator: { externalSecrets: { baseUrl: 'https://baton.example.com' } },
      environments: { 'shop/dev': 'development' },
    });
    const workload = `apiVersion: score.dev/v1b1
metadata: { name: web }
containers:
  main:
    image: web
    variables:
      S3_SECRET_KEY: \${resources.bucket.secret_key}
      api-key: key-\${resources.bucket.secret_key}
      s3.url: s3://\${resources.bucket.bucket}:\${resources.bucket.secret_key}
resources:
  bucket: { type: s3 }
`;
    const id = await deploy('shop', 'dev', [workload]);
    expect((await waitForDeployment('shop', 'dev', id)).status).toBe('succeeded');

    const { files } = (await api.get(`/api/orchestrator/apps/shop/envs/dev/deployments/${id}/manifests`).expect(200)).body;
    const objects = Object.values(files as Record<string, string>).flatMap(text => yaml.parseAllDocuments(text).map(d => d.toJS()));
    const store = objects.find(o => o?.kind === 'SecretStore');
    const externalSecret = objects.find(o => o?.kind === 'ExternalSecret');
    expect(store.spec.provider.webhook.url).toMatch(/^https:\/\/baton\.example\.com\/api\/orchestrator\/secrets\//);

    const resolved: Record<string, string> = {};
    for (const { secretKey, remoteRef } of externalSecret.spec.data) {
      // What the webhook provider does: fill the URL template, GET it, evaluate the JSONPath.
      const url = (store.spec.provider.webhook.url as string)
        .replace('{{ .remoteRef.key }}', remoteRef.key)
        .replace('{{ .remoteRef.property }}', remoteRef.property);
      const response = await api
        .get(url.replace('https://baton.example.com', ''))
        .set('Authorization', mockCredentials.service.header())
        .expect(200);
      const [value] = JSONPath({ path: store.spec.provider.webhook.result.jsonPath, json: response.body, wrap: true });
      resolved[secretKey] = value;
    }
    expect(resolved).toEqual({
      'main.S3_SECRET_KEY': SECRET,
      'main.api-key': `key-${SECRET}`,
      'main.s3.url': `s3://assets:${SECRET}`,
    });
    // Users have no access to delivered secrets.
    await api.get(`/api/orchestrator/secrets/shop/dev/${externalSecret.metadata.name}/main.S3_SECRET_KEY`).expect(403);
    await stop();
  });
});
