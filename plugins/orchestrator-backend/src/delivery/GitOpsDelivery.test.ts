import { TestDatabases } from '@backstage/backend-test-utils';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';
import { DatabaseDeliveredSecretStore } from '../database/DeliveredSecretStore';
import { GitOpsRepository } from '../gitops/GitOpsRepository';
import { SecretBox } from '../secrets/SecretBox';
import { GitOpsDelivery } from './GitOpsDelivery';
import { DELIVERY_SECRET, renderedTestApp } from '../__testUtils__/renderedTestApp';
import { temporaryFolder } from '../__testUtils__/temporaryFolder';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: testDatabaseIds });

describe.each(databases.eachSupportedId())('GitOpsDelivery (%s)', id => {
  it('commits the app with Secrets only as references, and keeps their data encrypted for the SecretStore', async () => {
    const knex = await databases.init(id);
    const deliveredSecrets = await DatabaseDeliveredSecretStore.create({ database: { getClient: async () => knex } });
    const secrets = new SecretBox(randomBytes(32));
    const dir = path.join(temporaryFolder('baton-gitops-delivery-'), 'gitops');
    const gitops = await GitOpsRepository.open({ dir });
    const delivery = new GitOpsDelivery({
      gitops,
      deliveredSecrets,
      secrets,
      baseUrl: 'https://baton.example.com',
      repoUrl: 'https://git.example.com/gitops.git',
      branch: 'main',
    });
    const rendered = await renderedTestApp();
    const environment = { appId: 'shop', id: 'dev', type: 'development', deployMode: 'gitops' as const, createdAt: '' };

    const secretName = rendered.workloads.web.find(o => o.kind === 'Secret')!.metadata.name;
    // Prepared while the deployment's resources are recorded: nothing anyone sees changes yet.
    const prepared = await delivery.prepare({ deploymentId: 'd-1', app: 'shop', env: 'dev', environment, rendered });
    expect(await gitops.readAppState('shop', 'dev')).toEqual({});
    expect(await deliveredSecrets.get('shop', 'dev', secretName)).toBeUndefined();

    const result = await prepared.deliver();
    expect(result.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(result.message).toMatch(/^Committed [0-9a-f]{12} to the GitOps repository$/);
    expect(Object.keys(result.delivered).sort()).toEqual(['secret-store.yaml', 'web.yaml']);
    expect(await gitops.readAppState('shop', 'dev')).toEqual(result.delivered);
    expect(result.delivered['web.yaml']).toContain('kind: ExternalSecret');
    expect(result.delivered['secret-store.yaml']).toContain('https://baton.example.com');
    // Nothing in the repository's objects holds the secret.
    const objects = execFileSync('git', ['--git-dir', dir, 'cat-file', '--batch-all-objects', '--batch']).toString();
    expect(objects).toContain('Baton deployment d-1');
    expect(objects).not.toContain(DELIVERY_SECRET);

    const stored = await deliveredSecrets.get('shop', 'dev', secretName);
    expect(stored).toBeDefined();
    expect(stored).not.toContain(DELIVERY_SECRET);
    expect(Object.values(secrets.decrypt(stored!) as Record<string, string>)).toContain(DELIVERY_SECRET);

    // The same state again is no new commit.
    const again = await (await delivery.prepare({ deploymentId: 'd-2', app: 'shop', env: 'dev', environment, rendered })).deliver();
    expect(again.commit).toBeUndefined();
    expect(again.message).toBe('The GitOps repository already had this state');
  });
});
