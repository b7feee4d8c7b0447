import { TestDatabases } from '@backstage/backend-test-utils';
import { parseResourceDefinitions } from '@baton/backstage-plugin-orchestrator-common';
import type { DriverContext } from '@baton/backstage-plugin-orchestrator-node';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseTerraformStateStore } from '../../database/TerraformStateStore';
import { SecretBox } from '../../secrets/SecretBox';
import { temporaryFolder } from '../../__testUtils__/temporaryFolder';
import { testDatabaseIds } from '../../__testUtils__/testDatabaseIds';
import { defaultTerraformBinary, TerraformDriver } from './TerraformDriver';

// The real Terraform (or OpenTofu) binary; its built-in provider needs no download.
const binary = process.env.BATON_TEST_TERRAFORM ?? defaultTerraformBinary();
const available = spawnSync(binary, ['version'], { stdio: 'ignore' }).status === 0;
jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: testDatabaseIds });
const drivers: TerraformDriver[] = [];
afterAll(() => Promise.all(drivers.map(d => d.close())));

const BUCKET = `
variable "name" { type = string }
variable "password" {
  type      = string
  sensitive = true
}
resource "terraform_data" "bucket" { input = var.name }
output "bucket" { value = "bucket-\${terraform_data.bucket.output}" }
output "connection" {
  value     = "s3://\${var.name}:\${var.password}@example"
  sensitive = true
}
`;

async function setUp(id: (typeof testDatabaseIds)[number], options: { lockLeaseSeconds?: number; timeoutSeconds?: number } = {}) {
  const knex = await databases.init(id);
  const states = await DatabaseTerraformStateStore.create({ database: { getClient: async () => knex } });
  const cipher = await SecretBox.fromKeyOrDataDir({ key: randomBytes(32).toString('base64'), dataDir: temporaryFolder('baton-tf-key-') });
  const workDir = temporaryFolder('baton-tf-');
  const driver = new TerraformDriver({ binary, states, cipher, workDir, ...options });
  drivers.push(driver);
  return { knex, states, cipher, workDir, driver };
}

function context(inputs: Record<string, unknown>, secrets: Record<string, unknown> = {}, guresid = `tf${randomUUID().slice(0, 8)}`) {
  const logged: string[] = [];
  const ctx: DriverContext = {
    guresid,
    resource: { uid: 's3.default#x', type: 's3', class: 'default', resId: 'x', params: {} },
    context: { app: { id: 'shop' }, env: { id: 'dev', type: 'development' } },
    inputs,
    secrets,
    signal: new AbortController().signal,
    logger: {
      info: m => logged.push(m),
      warn: m => logged.push(m),
      error: m => logged.push(m),
      debug: m => logged.push(m),
    },
  };
  return { ctx, logged };
}

function runFolders(workDir: string) {
  const runs = path.join(workDir, 'runs');
  return fs.existsSync(runs) ? fs.readdirSync(runs) : [];
}

(available ? describe.each(databases.eachSupportedId()) : describe.skip.each(databases.eachSupportedId()))('TerraformDriver (%s)', id => {
  it('applies a module with state kept by Baton, updates it, reports and corrects drift, and destroys it', async () => {
    const { driver, states, cipher, workDir } = await setUp(id);
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const { ctx, logged } = context({ script: BUCKET, variables: { name: 'orders' } }, { variables: { password } });

    const first = await driver.provision(ctx);
    expect(first.outputs).toEqual({ bucket: 'bucket-orders' });
    expect(first.secrets).toEqual({ connection: `s3://orders:${password}@example` });
    expect(logged.join('\n')).toContain('Apply complete! Resources: 1 added');
    expect(logged.join('\n')).not.toContain(password);
    // The state is in the database, encrypted; no run folder is left.
    const stored = (await states.getState(ctx.guresid))!;
    expect(stored).not.toContain('orders');
    expect(JSON.parse(cipher.decrypt<string>(stored)).resources).toHaveLength(1);
    expect(runFolders(workDir)).toEqual([]);
    expect((await states.lastRuns([ctx.guresid])).get(ctx.guresid)).toMatchObject({ operation: 'apply', add: 1, change: 0, destroy: 0 });
    expect(await states.getLock(ctx.guresid)).toBeUndefined();

    expect(await driver.check(ctx)).toEqual({ items: [] });

    // Changed inputs: the same state is updated (the bucket replaced, not a second one made).
    const renamed = context({ script: BUCKET, variables: { name: 'invoices' } }, { variables: { password } }, ctx.guresid).ctx;
    expect((await driver.provision(renamed)).outputs).toEqual({ bucket: 'bucket-invoices' });
    expect(JSON.parse(cipher.decrypt<string>((await states.getState(ctx.guresid))!)).resources).toHaveLength(1);

    // Someone removed the bucket: the plan would create it again.
    const state = JSON.parse(cipher.decrypt<string>((await states.getState(ctx.guresid))!));
    await states.putState(ctx.guresid, cipher.encrypt(JSON.stringify({ ...state, serial: state.serial + 1, resources: [] })));
    const drift = await driver.check(renamed);
    expect(drift.items).toEqual([expect.objectContaining({ kind: 'missing', detail: expect.stringContaining('terraform_data.bucket') })]);
    await driver.provision(renamed);
    expect(await driver.check(renamed)).toEqual({ items: [] });

    await driver.destroy(renamed);
    expect(await states.getState(ctx.guresid)).toBeUndefined();
    expect(runFolders(workDir)).toEqual([]);
    // Destroying what is gone is a no-op.
    await driver.destroy(renamed);
  });
});

(available ? describe : describe.skip)('TerraformDriver on SQLite', () => {
  let env: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    env = await setUp('SQLITE_3', { lockLeaseSeconds: 1 });
  });

  it('passes secret variables only through the environment, never in a file', async () => {
    const secret = `s3cr3t-${randomBytes(6).toString('hex')}`;
    // The module searches its own folder for the secret and fails when it finds it.
    const script = `
variable "token" {
  type      = string
  sensitive = true
}
variable "region" { type = string }
resource "terraform_data" "scan" {
  provisioner "local-exec" {
    command     = "if grep -rq \\"$TOKEN\\" \\"$DIR\\"; then echo found; exit 1; fi; test -n \\"$TOKEN\\""
    environment = {
      TOKEN = var.token
      DIR   = abspath(path.root)
    }
  }
}
output "region" { value = var.region }
`;
    const { ctx, logged } = context({ script, variables: { region: 'eu-1' } }, { variables: { token: secret } });
    expect((await env.driver.provision(ctx)).outputs).toEqual({ region: 'eu-1' });
    expect(logged.join('\n')).not.toContain(secret);
    await env.driver.destroy(ctx);
  });

  it('reports an HCL error with its file and line', async () => {
    const { ctx } = context({ script: 'resource "terraform_data" "a" {}\nresourc "x" {}\n' });
    await expect(env.driver.provision(ctx)).rejects.toThrow(/init failed: main\.tf:2:1: Unsupported block type/);
    expect(runFolders(env.workDir)).toEqual([]);
  });

  it('keeps what a failed apply made in the state, so that a destroy removes it', async () => {
    const script = `
resource "terraform_data" "first" { input = "made" }
resource "terraform_data" "second" {
  depends_on = [terraform_data.first]
  provisioner "local-exec" { command = "echo cannot create the second >&2; exit 3" }
}
`;
    const { ctx } = context({ script });
    await expect(env.driver.provision(ctx)).rejects.toThrow(/apply failed after 1 change\(s\) were made.*cannot create the second|apply failed after 1 change/s);
    const state = JSON.parse(env.cipher.decrypt<string>((await env.states.getState(ctx.guresid))!));
    expect(state.resources.map((r: { name: string }) => r.name)).toContain('first');
    await env.driver.destroy(ctx);
    expect(await env.states.getState(ctx.guresid)).toBeUndefined();
  });

  it('checks out a module from a Git repository at a ref and folder', async () => {
    const repo = temporaryFolder('baton-tf-module-');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    git('init', '--quiet', '-b', 'main');
    fs.mkdirSync(path.join(repo, 'modules/bucket'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'modules/bucket/main.tf'), 'variable "name" {}\nresource "terraform_data" "b" { input = var.name }\noutput "arn" { value = "arn:v1:${terraform_data.b.output}" }\n');
    git('add', '.');
    git('commit', '--quiet', '-m', 'v1');
    git('tag', 'v1');
    fs.writeFileSync(path.join(repo, 'modules/bucket/main.tf'), 'variable "name" {}\nresource "terraform_data" "b" { input = var.name }\noutput "arn" { value = "arn:v2:${terraform_data.b.output}" }\n');
    git('commit', '--quiet', '-am', 'v2');

    const { ctx, logged } = context({ source: { url: repo, ref: 'v1', path: 'modules/bucket' }, variables: { name: 'b1' } });
    expect((await env.driver.provision(ctx)).outputs).toEqual({ arn: 'arn:v1:b1' });
    expect(logged.join('\n')).toContain(`module ${repo} at v1`);
    const v2 = context({ source: { url: repo, ref: 'main', path: 'modules/bucket' }, variables: { name: 'b1' } }, {}, ctx.guresid).ctx;
    expect((await env.driver.provision(v2)).outputs).toEqual({ arn: 'arn:v2:b1' });
    await env.driver.destroy(v2);

    const missing = context({ source: { url: repo, ref: 'no-such-tag' } }).ctx;
    await expect(env.driver.provision(missing)).rejects.toThrow(/could not fetch the module .* at no-such-tag/);
  });

  it('waits for a lock held by a live run and breaks one whose holder stopped renewing it', async () => {
    const { ctx, logged } = context({ script: 'resource "terraform_data" "a" {}\n' });
    // A killed backend's lock: it lapses within the lease (1 s here) and is then broken.
    await env.states.lock(ctx.guresid, {
      id: 'dead-run',
      info: JSON.stringify({ ID: 'dead-run', Who: 'replica-a', Created: '2026-12-05T10:00:00Z' }),
      expiresAt: new Date(Date.now() + 1500),
    });
    await env.driver.provision(ctx);
    expect(logged.join('\n')).toMatch(/broke the state lock of an interrupted run \(held since 2026-12-05T10:00:00Z by replica-a/);
    expect(await env.states.getLock(ctx.guresid)).toBeUndefined();
    await env.driver.destroy(ctx);
  });

  it('keeps the state a run could not save, left by a process that is gone', async () => {
    const { ctx } = context({ script: 'resource "terraform_data" "a" { input = "kept" }\n' });
    await env.driver.provision(ctx);
    const saved = JSON.parse(env.cipher.decrypt<string>((await env.states.getState(ctx.guresid))!));
    // A backend killed during apply: its Terraform wrote errored.tfstate (one serial newer) in its run folder.
    const gone = spawnSync('true').pid;
    const leftover = path.join(env.workDir, 'runs', `${ctx.guresid}.${gone}.abcd1234`, 'module');
    fs.mkdirSync(leftover, { recursive: true });
    const newer = { ...saved, serial: saved.serial + 1, outputs: { recovered: { value: 'yes', type: 'string' } } };
    fs.writeFileSync(path.join(leftover, 'errored.tfstate'), JSON.stringify(newer));

    const result = await env.driver.provision(ctx);
    expect(result.outputs).toEqual({});
    const state = JSON.parse(env.cipher.decrypt<string>((await env.states.getState(ctx.guresid))!));
    expect(state.serial).toBeGreaterThan(newer.serial - 1);
    expect(state.lineage).toBe(saved.lineage);
    expect(runFolders(env.workDir)).toEqual([]);
    await env.driver.destroy(ctx);
  });

  it('stops a run at its time limit and releases its lock', async () => {
    const script = 'resource "terraform_data" "slow" {\n  provisioner "local-exec" { command = "sleep 30" }\n}\n';
    const { ctx } = context({ script, timeoutSeconds: 2 });
    await expect(env.driver.provision(ctx)).rejects.toThrow(/terraform apply was stopped: it ran longer than 2 s/);
    expect(await env.states.getLock(ctx.guresid)).toBeUndefined();
    expect(runFolders(env.workDir)).toEqual([]);
  });

  it('accepts the example AWS module and its definition', () => {
    const dir = path.resolve(__dirname, '../../../../../examples/modules/s3-bucket');
    const [loaded] = parseResourceDefinitions(fs.readFileSync(path.join(dir, 'definition.yaml'), 'utf8'), 'definition.yaml');
    const { values, secrets } = loaded.definition.spec.driverInputs!;
    expect(env.driver.validateInputs(values!, Object.keys(secrets!))).toEqual([]);
    // Formatted and parseable: fmt reads the HCL without providers (no network here).
    expect(spawnSync(binary, ['fmt', '-check', dir]).status).toBe(0);
  });

  it('refuses inputs that cannot work when the definition is saved', () => {
    expect(env.driver.validateInputs({ script: 'x', source: { url: 'u' } }, [])).toEqual([expect.objectContaining({ path: 'values' })]);
    expect(env.driver.validateInputs({}, [])).toEqual([expect.objectContaining({ path: 'values' })]);
    expect(env.driver.validateInputs({ source: { url: 'u', path: '../x' } }, [])).toEqual([expect.objectContaining({ path: 'values.source.path' })]);
    expect(env.driver.validateInputs({ script: 'x', variables: { 'a b': 1 } }, [])).toEqual([expect.objectContaining({ path: 'values.variables.a b' })]);
    expect(env.driver.validateInputs({ script: 'x' }, ['variables'])).toEqual([]);
  });
});
