import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createScoreResourceAddAction } from './scoreResourceAdd';

const original = `# The storefront
apiVersion: score.dev/v1b1
metadata:
  name: web # keep me
containers:
  main:
    image: nginx
resources:
  # the main database
  db:
    type: postgres # managed by the platform
`;

describe('baton:score:resource:add', () => {
  const action = createScoreResourceAddAction();

  async function run(input: any, content = original) {
    const ctx = createMockActionContext({ input });
    await fs.mkdir(ctx.workspacePath, { recursive: true });
    await fs.writeFile(path.join(ctx.workspacePath, 'score.yaml'), content);
    await action.handler(ctx);
    return {
      ctx,
      text: await fs.readFile(path.join(ctx.workspacePath, 'score.yaml'), 'utf8'),
    };
  }

  it('adds a resource and keeps comments and formatting', async () => {
    const { ctx, text } = await run({ name: 'assets', type: 's3', class: 'large', variables: false });
    expect(text).toBe(`${original}  assets:\n    type: s3\n    class: large\n`);
    expect(ctx.output).toHaveBeenCalledWith('added', true);
  });

  it('updates an existing resource in place', async () => {
    const { ctx, text } = await run({ name: 'db', type: 'postgres', id: 'main-db' });
    expect(text).toContain('# the main database\n  db:\n    type: postgres # managed by the platform\n    id: main-db\n');
    expect(ctx.output).toHaveBeenCalledWith('added', false);
  });

  it('creates the resources section when there is none', async () => {
    const { text } = await run(
      { name: 'cache', type: 'redis', params: { size: 'small' } },
      'apiVersion: score.dev/v1b1\nmetadata:\n  name: worker\ncontainers:\n  main:\n    image: busybox\n',
    );
    expect(text).toContain('resources:\n  cache:\n    type: redis\n    params:\n      size: small\n');
  });

  it("gives the containers variables reading a new resource's outputs", async () => {
    const { ctx, text } = await run({ name: 'orders', type: 'postgres' });
    // The file already has a postgres: the new one's URL is named after it.
    expect(text).toContain(
      '  main:\n    image: nginx\n    variables:\n      DATABASE_URL: postgresql://${resources.orders.username}:${resources.orders.password}@${resources.orders.host}:${resources.orders.port}/${resources.orders.name}\n',
    );
    const again = await run({ name: 'reports', type: 'postgres' }, text);
    expect(again.text).toContain('      REPORTS_DATABASE_URL: postgresql://${resources.reports.username}:');
    expect(ctx.output).toHaveBeenCalledWith('variables', ['DATABASE_URL']);

    const bucket = await run({ name: 'bucket', type: 's3' });
    expect(bucket.text).toContain('      S3_BUCKET: ${resources.bucket.bucket}\n');
    expect(bucket.text).toContain('      AWS_SECRET_ACCESS_KEY: ${resources.bucket.aws_secret_key}\n');
    // A type without conventional variables adds none.
    expect((await run({ name: 'queue', type: 'kafka-topic' })).text).not.toContain('variables');
  });

  it('refuses files that are not Score workloads and bad names', async () => {
    await expect(run({ name: 'db', type: 'postgres' }, 'kind: Deployment\n')).rejects.toThrow(
      'score.yaml: not a score.dev/v1b1 workload',
    );
    await expect(run({ name: 'Bad_Name', type: 'postgres' })).rejects.toThrow(
      'score.yaml: resources.Bad_Name: the name must be a lowercase RFC 1123 label',
    );
    const ctx = createMockActionContext({ input: { name: 'db', type: 'x', path: '../outside.yaml' } });
    await expect(action.handler(ctx)).rejects.toThrow();
  });
});
