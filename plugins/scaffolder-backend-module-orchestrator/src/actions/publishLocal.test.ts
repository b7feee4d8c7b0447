import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import git from 'isomorphic-git';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPublishLocalAction } from './publishLocal';

describe('baton:publish:local', () => {
  it('commits the workspace to a new repository and registers its catalog file', async () => {
    const repositoriesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-repos-'));
    const catalog = catalogServiceMock();
    const addLocation = jest.spyOn(catalog, 'addLocation').mockResolvedValue({ location: { id: '1', type: 'file', target: '', entityRef: 'location:default/x' }, entities: [] });
    const action = createPublishLocalAction({ repositoriesDir, catalog, auth: mockServices.auth() });
    const ctx = createMockActionContext({ input: { name: 'payments' } });
    fs.mkdirSync(path.join(ctx.workspacePath, 'src'), { recursive: true });
    fs.writeFileSync(path.join(ctx.workspacePath, 'score.yaml'), 'apiVersion: score.dev/v1b1\n');
    fs.writeFileSync(path.join(ctx.workspacePath, 'catalog-info.yaml'), 'kind: Component\n');
    fs.writeFileSync(path.join(ctx.workspacePath, 'src', 'index.js'), '');

    await action.handler(ctx);

    const dir = path.join(repositoriesDir, 'payments');
    expect(await git.listFiles({ fs, dir, ref: 'main' })).toEqual(['catalog-info.yaml', 'score.yaml', 'src/index.js']);
    expect(ctx.output).toHaveBeenCalledWith('remoteUrl', dir);
    expect(addLocation).toHaveBeenCalledWith(
      { type: 'file', target: path.join(dir, 'catalog-info.yaml') },
      expect.anything(),
    );

    // A second template run with the same name does not overwrite it.
    await expect(action.handler(createMockActionContext({ input: { name: 'payments' } }))).rejects.toThrow(/exists already/);
    fs.rmSync(repositoriesDir, { recursive: true, force: true });
  });
});
