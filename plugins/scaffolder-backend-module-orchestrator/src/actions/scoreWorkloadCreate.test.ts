import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { createScoreWorkloadCreateAction } from './scoreWorkloadCreate';

describe('baton:score:create', () => {
  const action = createScoreWorkloadCreateAction();

  it('writes a Score file with ports, variables and resources', async () => {
    const ctx = createMockActionContext({
      input: {
        name: 'web',
        image: 'ghcr.io/acme/web:1.0.0',
        ports: [{ name: 'http', port: 8080 }],
        variables: { DB_HOST: '${resources.db.host}' },
        resources: [{ name: 'db', type: 'postgres' }],
      },
    });
    await action.handler(ctx);

    const written = yaml.parse(
      await fs.readFile(path.join(ctx.workspacePath, 'score.yaml'), 'utf8'),
    );
    expect(written).toEqual({
      apiVersion: 'score.dev/v1b1',
      metadata: { name: 'web' },
      containers: {
        main: {
          image: 'ghcr.io/acme/web:1.0.0',
          variables: { DB_HOST: '${resources.db.host}' },
        },
      },
      service: { ports: { http: { port: 8080 } } },
      resources: { db: { type: 'postgres' } },
    });
    expect(ctx.output).toHaveBeenCalledWith('path', 'score.yaml');
  });

  it('refuses input that makes an invalid Score file, naming the field', async () => {
    const ctx = createMockActionContext({
      input: {
        name: 'Web_Service',
        image: 'nginx',
        variables: { URL: '${resources.cache.host}' },
      },
    });
    await expect(action.handler(ctx)).rejects.toThrow(/metadata\.name/);
    await expect(action.handler(ctx)).rejects.toThrow(
      /\$\{resources\.cache\.host\} does not resolve to a resource/,
    );
    await expect(
      fs.access(path.join(ctx.workspacePath, 'score.yaml')),
    ).rejects.toThrow();
  });

  it('refuses a target outside the workspace', async () => {
    const ctx = createMockActionContext({
      input: { name: 'web', image: 'nginx', targetPath: '../score.yaml' },
    });
    await expect(action.handler(ctx)).rejects.toThrow(/outside the workspace/);
  });
});
