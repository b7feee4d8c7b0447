import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import git from 'isomorphic-git';
import fs from 'node:fs';
import path from 'node:path';
import { parseBranches, repositoryOfEntity, repositoryOfSourceLocation } from './catalogRepositories';
import { createTestOrchestrator } from '../__testUtils__/createTestOrchestrator';
import { temporaryFolder } from '../__testUtils__/temporaryFolder';

jest.setTimeout(60_000);

describe('repositories that catalog entities declare', () => {
  it.each([
    ['url:https://github.com/acme/shop/tree/main/', 'https://github.com/acme/shop'],
    ['url:https://github.com/acme/shop/blob/main/catalog-info.yaml', 'https://github.com/acme/shop'],
    ['url:https://gitlab.example.com/group/sub/shop/-/tree/main', 'https://gitlab.example.com/group/sub/shop'],
    ['url:https://git.example.com/shop.git', 'https://git.example.com/shop.git'],
    ['url:file:///srv/repositories/shop/', '/srv/repositories/shop'],
    ['url:', undefined],
    ['url:ftp://example.com/shop', undefined],
  ])('source location %s → %s', (location, expected) => {
    expect(repositoryOfSourceLocation(location)).toBe(expected);
  });

  it.each([
    ['main=dev', { main: 'dev' }],
    [' main = dev , release=staging ', { main: 'dev', release: 'staging' }],
    ['main', undefined],
    ['', undefined],
  ])('branches %j', (annotation, expected) => {
    expect(parseBranches(annotation)).toEqual(expected);
  });

  it('needs the app, the source location and the branches', () => {
    const entity = (annotations: Record<string, string>) => ({ apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'web', annotations } });
    const all: Record<string, string> = { 'baton.dev/app': 'shop', 'backstage.io/source-location': 'url:https://github.com/acme/shop/tree/main/', 'baton.dev/branches': 'main=dev' };
    expect(repositoryOfEntity(entity(all))).toEqual({ source: 'catalog', app: 'shop', url: 'https://github.com/acme/shop', branches: { main: 'dev' } });
    for (const missing of Object.keys(all)) {
      const { [missing]: _, ...rest } = all;
      expect(repositoryOfEntity(entity(rest))).toBeUndefined();
    }
  });

  it("follows the repository an app's catalog entity names and deploys its pushes", async () => {
    const root = temporaryFolder('baton-catalog-repo-');
    const repo = path.join(root, 'service');
    await git.init({ fs, dir: repo, defaultBranch: 'main' });
    fs.writeFileSync(
      path.join(repo, 'score.yaml'),
      'apiVersion: score.dev/v1b1\nmetadata: { name: web }\ncontainers:\n  main: { image: web }\nresources:\n  db: { type: postgres }\n',
    );
    await git.add({ fs, dir: repo, filepath: 'score.yaml' });
    await git.commit({ fs, dir: repo, message: 'first version', author: { name: 'dev', email: 'dev@example.com' } });

    const { api, stop } = await createTestOrchestrator({
      definitions:
        'apiVersion: baton.dev/v1\nkind: ResourceDefinition\nmetadata: { id: pg }\nspec: { type: postgres, driver: echo, driverInputs: { values: { host: pg } }, criteria: [{}] }\n',
      environments: { 'shop/dev': 'development' },
      features: [
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'web',
                annotations: {
                  'baton.dev/app': 'shop',
                  'backstage.io/source-location': `url:file://${repo}/`,
                  'baton.dev/branches': 'main=dev',
                },
              },
            },
          ],
        }),
      ],
    });

    const app = await api.get('/api/orchestrator/apps/shop').expect(200);
    expect(app.body.watch).toEqual([{ repository: repo, source: 'catalog', branch: 'main', environment: 'dev' }]);

    const pushed = await api.post('/api/orchestrator/webhooks/git').send({ repository: repo }).expect(202);
    expect(pushed.body.queued).toHaveLength(1);

    // An app that names a repository itself is not also following its entity's.
    await api
      .put('/api/orchestrator/apps/shop')
      .send({ repository: { url: path.join(root, 'elsewhere'), branches: { main: 'dev' } } })
      .expect(200);
    const named = await api.get('/api/orchestrator/apps/shop').expect(200);
    expect(named.body.watch.map((w: { source: string }) => w.source)).toEqual(['app']);
    await stop();
  });
});
