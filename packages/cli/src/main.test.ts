import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from './main';

const folders: string[] = [];
afterAll(() => folders.splice(0).forEach(folder => fs.rmSync(folder, { recursive: true, force: true })));

/** A new temporary folder, removed once this file's tests are done. */
function temporaryFolder(prefix: string): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  folders.push(folder);
  return folder;
}

const fixtures = path.join(__dirname, '__fixtures__');
const fixture = (name: string) => path.join(fixtures, name);

async function run(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'baton', ...args], {
    stdout: t => (stdout += t),
    stderr: t => (stderr += t),
  });
  return { code, stdout, stderr };
}

const context = ['--app', 'shop', '--env', 'dev', '--env-type', 'development', '--definitions', fixture('definitions.yaml')];

describe('baton', () => {
  it('validates Score files and prints every problem as file:line:col: message', async () => {
    expect((await run('validate', fixture('web.yaml'))).code).toBe(0);
    const bad = await run('validate', fixture('web.yaml'), fixture('invalid.yaml'));
    expect(bad.code).toBe(1);
    expect(bad.stderr.split('\n').filter(Boolean)).toEqual([
      `${fixture('invalid.yaml')}:3:9: metadata.name: must be a lowercase RFC 1123 label (a-z, 0-9 and -, 2 to 63 characters, alphanumeric at both ends)`,
      `${fixture('invalid.yaml')}:5:3: containers.main: missing required field 'image'`,
      `${fixture('invalid.yaml')}:6:5: containers.main.imagee: unknown field 'imagee'`,
    ]);
  });

  it('reports a ${metadata.…} key the metadata lacks at its line and column, and renders image . only with --image', async () => {
    const dir = temporaryFolder('baton-cli-');
    const file = path.join(dir, 'score.yaml');
    fs.writeFileSync(file, 'apiVersion: score.dev/v1b1\nmetadata:\n  name: api\ncontainers:\n  main:\n    image: .\n    variables:\n      OWNER: ${metadata.owner}\n');
    const bad = await run('validate', file);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(`${file}:8:14: containers.main.variables.OWNER: \${metadata.owner} does not resolve: metadata has no key 'owner'\n`);

    fs.writeFileSync(file, 'apiVersion: score.dev/v1b1\nmetadata:\n  name: api\ncontainers:\n  main:\n    image: .\n');
    const noImage = await run('render', ...context, '--score', file);
    expect(noImage.code).toBe(1);
    expect(noImage.stderr).toContain(`${file}:6:12: containers.main.image: container 'main' has no image`);
    const withImage = await run('render', ...context, '--score', file, '--image', 'registry.example.com/api:7');
    expect(withImage.code).toBe(0);
    expect(withImage.stdout).toContain('image: registry.example.com/api:7');
  });

  it('answers usage errors with exit code 2', async () => {
    expect((await run('plan', '--app', 'shop')).code).toBe(2);
    expect((await run('frobnicate')).code).toBe(2);
  });

  it('plans as JSON with the contract fields and only secret keys', async () => {
    const { code, stdout } = await run('plan', ...context, '--score', fixture('web.yaml'), '--output', 'json');
    expect(code).toBe(0);
    expect(stdout).not.toContain('cli-test-secret-value');
    const plan = JSON.parse(stdout);
    expect(Object.keys(plan)).toEqual(['app', 'env', 'envType', 'hash', 'nodes']);
    const db = plan.nodes.find((n: { type: string }) => n.type === 'postgres');
    expect(db).toEqual({
      uid: 'postgres.default#modules.web.externals.db',
      resId: 'modules.web.externals.db',
      type: 'postgres',
      class: 'default',
      definition: 'postgres-dev',
      criterion: { envType: 'development' },
      dependsOn: [],
      outputs: { host: 'pg.dev.internal', port: 5432, username: 'app' },
      secretOutputs: ['password'],
    });
  });

  it('fails a plan that has no definition for a resource, naming node and context', async () => {
    const { code, stderr } = await run('plan', ...context.slice(0, 6), '--definitions', fixture('definitions.yaml'), '--env-type', 'production', '--score', fixture('web.yaml'));
    expect(code).toBe(1);
    expect(stderr).toContain('no resource definition matches postgres.default#modules.web.externals.db (type postgres, class default) in app shop, environment dev (production)');
  });

  it('renders manifests into a directory without secret values outside Secrets', async () => {
    const out = temporaryFolder('baton-render-');
    const { code } = await run('render', ...context, '--score', fixture('web.yaml'), '--out', out);
    expect(code).toBe(0);
    const text = fs.readFileSync(path.join(out, 'web.yaml'), 'utf8');
    expect(text).toContain('kind: Deployment');
    expect(text).toContain('kind: Service');
    expect(text).toContain('secretKeyRef');
    expect(text).not.toContain('cli-test-secret-value');
  });

  it('explains every candidate and its rank', async () => {
    const { code, stdout } = await run('explain', ...context, '--type', 'postgres', '--res-id', 'modules.web.externals.db', '--output', 'json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.chosen).toBe('postgres-dev');
    expect(result.candidates.map((c: { definition: string; matched: boolean; rank: number }) => [c.definition, c.matched, c.rank])).toEqual([
      ['postgres-dev', true, 1],
      ['postgres-large', false, 2],
      ['postgres-large', false, 1],
    ]);
  });

  it('explains a node of the graph planned from Score files', async () => {
    const { code, stdout } = await run('explain', ...context, '--score', fixture('web.yaml'), '--type', 'postgres', '--res-id', 'modules.web.externals.db', '--output', 'json');
    expect(code).toBe(0);
    expect(stdout).not.toContain('cli-test-secret-value');
    const result = JSON.parse(stdout);
    expect(result.chosen).toBe('postgres-dev');
    expect(result.planned.node).toMatchObject({ uid: 'postgres.default#modules.web.externals.db', definition: 'postgres-dev', secretOutputs: ['password'] });
    expect(result.planned.neededBy).toEqual(['workload.default#modules.web']);

    const text = await run('explain', ...context, '--score', fixture('web.yaml'), '--type', 'postgres', '--res-id', 'modules.web.externals.db');
    expect(text.stdout).toContain('planned: definition postgres-dev, needed by workload.default#modules.web');
  });

  it('says when the explained node is not in the planned graph', async () => {
    const { code, stderr } = await run('explain', ...context, '--score', fixture('web.yaml'), '--type', 'postgres', '--res-id', 'shared.other');
    expect(code).toBe(1);
    expect(stderr).toContain('postgres.default#shared.other is not a node of the graph planned from');
    expect(stderr).toContain('postgres.default#modules.web.externals.db');
  });

  it('still explains a node when the Score files do not plan, after their problems', async () => {
    const { code, stdout, stderr } = await run('explain', ...context.slice(0, 4), '--env-type', 'production', ...context.slice(6), '--score', fixture('web.yaml'), '--type', 'postgres', '--res-id', 'modules.web.externals.db');
    expect(code).toBe(1);
    expect(stderr).toContain('no resource definition matches postgres.default#modules.web.externals.db (type postgres, class default) in app shop, environment dev (production)');
    expect(stdout).toContain('✗ postgres-dev {"class":"default","envType":"development"} rank 1: envType is production, criterion wants development');
  });
});
