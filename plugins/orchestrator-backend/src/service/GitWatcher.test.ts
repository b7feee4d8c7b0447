import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import git from 'isomorphic-git';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { orchestratorPlugin } from '../plugin';
import { globToRegExp } from './GitWatcher';

jest.setTimeout(60_000);

describe('globToRegExp', () => {
  it('matches * within a folder and ** across folders', () => {
    expect(globToRegExp('**/score.yaml').test('services/web/score.yaml')).toBe(true);
    expect(globToRegExp('**/score.yaml').test('score.yaml')).toBe(true);
    expect(globToRegExp('services/*/score.yaml').test('services/a/b/score.yaml')).toBe(false);
    expect(globToRegExp('*.score.yaml').test('web.score.yaml')).toBe(true);
  });
});

const definitions = `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: pg }
spec: { type: postgres, driver: echo, driverInputs: { values: { host: pg } }, criteria: [{}] }
---
apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: s3 }
spec: { type: s3, driver: echo, driverInputs: { values: { bucket: b } }, criteria: [{}] }
`;

describe('GitWatcher', () => {
  it('deploys a branch when a commit changes its Score files, and only then', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-watch-'));
    const repo = path.join(root, 'service');
    fs.writeFileSync(path.join(root, 'definitions.yaml'), definitions);
    await git.init({ fs, dir: repo, defaultBranch: 'main' });
    const commit = async (file: string, content: string, message: string) => {
      fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
      fs.writeFileSync(path.join(repo, file), content);
      await git.add({ fs, dir: repo, filepath: file });
      return git.commit({ fs, dir: repo, message, author: { name: 'dev', email: 'dev@example.com' } });
    };
    const score = (resources: string) =>
      `apiVersion: score.dev/v1b1\nmetadata: { name: web }\ncontainers:\n  main: { image: web }\nresources:\n${resources}`;
    await commit('score.yaml', score('  db: { type: postgres }\n'), 'first version');

    const backend = await startTestBackend({
      features: [
        orchestratorPlugin,
        mockServices.rootConfig.factory({
          data: {
            orchestrator: {
              dataDir: path.join(root, 'data'),
              definitions: [path.join(root, 'definitions.yaml')],
              gitWatch: { repositories: [{ url: repo, app: 'shop', branches: { main: 'dev' } }] },
            },
          },
        }),
      ],
    });
    const api = request(backend.server);
    await api.put('/api/orchestrator/env-types/development').send({}).expect(200);
    await api.put('/api/orchestrator/apps/shop').send({}).expect(200);
    await api.put('/api/orchestrator/apps/shop/envs/dev').send({ type: 'development' }).expect(200);

    const finished = async (id: string) => {
      for (let i = 0; i < 200; i++) {
        const res = await api.get(`/api/orchestrator/apps/shop/envs/dev/deployments/${id}`);
        if (['succeeded', 'failed'].includes(res.body.status)) return res.body;
        await new Promise(r => setTimeout(r, 50));
      }
      throw new Error('did not finish');
    };

    const first = await api.post('/api/orchestrator/webhooks/git').send({ repository: repo }).expect(202);
    expect(first.body.queued).toHaveLength(1);
    expect((await finished(first.body.queued[0])).comment).toMatch(/^git [0-9a-f]{12} on main: first version$/);

    // "Add a bucket to score.yaml, git push"
    await commit('score.yaml', score('  db: { type: postgres }\n  assets: { type: s3 }\n'), 'add a bucket');
    const second = await api.post('/api/orchestrator/webhooks/git').send({ repository: { clone_url: repo } }).expect(202);
    expect(second.body.queued).toHaveLength(1);
    expect((await finished(second.body.queued[0])).status).toBe('succeeded');
    const resources = await api.get('/api/orchestrator/apps/shop/envs/dev/resources').expect(200);
    expect(resources.body.map((r: { type: string }) => r.type)).toContain('s3');

    // A commit that touches no Score file deploys nothing.
    await commit('README.md', '# web\n', 'docs');
    const third = await api.post('/api/orchestrator/webhooks/git').send({}).expect(202);
    expect(third.body.queued).toEqual([]);

    await backend.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });
});
