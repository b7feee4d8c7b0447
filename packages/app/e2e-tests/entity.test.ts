import fs from 'node:fs';
import path from 'node:path';
import { expect, Locator, Page, test } from '@playwright/test';
import { backend, backendAsGuest, shots, signIn } from './backendAsGuest';

// The echo driver hands this back as a secret output: it must appear nowhere on the page.
const SECRET = 'e2e-entity-secret-value';

// One app and its deployments are shared: each step builds on the one before.
test.describe.configure({ mode: 'serial' });

/** The workload `web`, its resources (id → type) and variables read from their outputs. */
const workload = (resources: Record<string, string>, variables: Record<string, string>) =>
  `apiVersion: score.dev/v1b1
metadata: { name: web }
containers:
  main:
    image: nginx
    variables:
${Object.entries(variables).map(([name, value]) => `      ${name}: "${value}"`).join('\n')}
resources:
${Object.entries(resources).map(([id, type]) => `  ${id}: { type: ${type} }`).join('\n')}
`;

const definition = (id: string, type: string, driver: string, inputs: string, criterion: string) =>
  `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: ${id} }
spec:
  type: ${type}
  driver: ${driver}
  driverInputs:
${inputs}
  criteria: [${criterion}]
`;

const app = `e2e-entity-${Date.now().toString(36)}`;
const tab = `/catalog/default/component/${app}/baton`;
const uid = (type: string, resId: string) => `${type}.default#modules.web.externals.${resId}`;
let first: string;
let second: string;
let failed: string;
// One signed-in page for all steps: each moves on within the app, without reloading it.
let page: Page;

/** The card of one of the app's environments on the Baton tab. */
const environmentCard = (on: Page, env: string): Locator =>
  on.locator('.MuiCard-root').filter({ has: on.getByText(`${app} / ${env}`, { exact: true }) });

/**
 * The app `e2e-entity-…` as a catalog Component, with dev and staging:
 * dev deployed twice (a dns, then an s3 bucket in its place, beside a redis
 * with a secret output), staging once successfully and once failing on a
 * definition whose template cannot be read.
 */
test.beforeAll(async ({ playwright, browser }) => {
  const request = await playwright.request.newContext();
  const api = await backendAsGuest(request);
  const inApp = `{ appId: ${app} }`;
  const definitions = [
    definition(`${app}-cache`, 'redis', 'echo', `    values: { host: cache.${app}.test }\n    secrets: { password: ${SECRET} }`, inApp),
    definition(`${app}-dns`, 'dns', 'echo', `    values: { host: ${app}.example.test }`, inApp),
    definition(`${app}-store`, 's3', 'echo', `    values: { bucket: ${app}-bucket }`, inApp),
    definition(
      `${app}-broken`,
      'dns',
      'template',
      '    values:\n      templates:\n        outputs: "host: [unclosed"',
      `{ appId: ${app}, envId: staging }`,
    ),
  ];
  for (const yaml of definitions) {
    const id = /id: (\S+) }/.exec(yaml)![1];
    await api.orchestrator('PUT', `/resource-definitions/${id}`, yaml, 'application/yaml');
  }

  const entityFile = path.resolve(`.data/e2e-entities/${app}.yaml`);
  fs.mkdirSync(path.dirname(entityFile), { recursive: true });
  fs.writeFileSync(
    entityFile,
    `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${app}
  annotations: { baton.dev/app: ${app} }
spec: { type: service, lifecycle: experimental, owner: guests }
`,
  );
  await api.call('POST', '/catalog/locations', { type: 'file', target: entityFile });
  await api.orchestrator('PUT', `/apps/${app}`, { title: app, entityRef: `component:default/${app}` });
  await api.orchestrator('PUT', `/apps/${app}/envs/dev`, { type: 'development' });
  await api.orchestrator('PUT', `/apps/${app}/envs/staging`, { type: 'staging' });

  const withDns = workload({ cache: 'redis', dns: 'dns' }, { CACHE_HOST: '${resources.cache.host}', DNS_HOST: '${resources.dns.host}' });
  const withStore = workload({ cache: 'redis', store: 's3' }, { CACHE_HOST: '${resources.cache.host}', BUCKET: '${resources.store.bucket}' });
  const results = [
    await api.deploy(app, 'dev', [withDns]),
    await api.deploy(app, 'dev', [withStore]),
    await api.deploy(app, 'staging', [workload({ cache: 'redis' }, { CACHE_HOST: '${resources.cache.host}' })]),
    await api.deploy(app, 'staging', [withDns]),
  ];
  expect(results.map(r => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'failed']);
  [first, second, , failed] = results.map(r => r.id);

  // The catalog has read the entity.
  await expect
    .poll(async () => (await request.get(`${backend}/api/catalog/entities/by-name/component/default/${app}`)).status(), {
      timeout: 60_000,
    })
    .not.toBe(404);
  await request.dispose();

  // Wide enough for two environments side by side, tall enough for their tables.
  page = await browser.newPage({ viewport: { width: 1920, height: 1400 } });
  await signIn(page);
});

test.afterAll(async () => {
  await page.close();
});

test('1. the Baton tab shows the environments side by side, the graph and the deployment history', async () => {
  await page.goto(`/catalog/default/component/${app}`);
  await page.getByRole('navigation', { name: 'Content navigation' }).getByRole('link', { name: 'Baton' }).click();
  await expect(page).toHaveURL(new RegExp(`${tab}$`));
  const dev = environmentCard(page, 'dev');
  const staging = environmentCard(page, 'staging');
  await expect(dev.locator('svg').getByText(/^redis modules\.web\.externals\.cache · active$/)).toBeVisible();
  await expect(dev.locator('svg').getByText(/^s3 modules\.web\.externals\.store · active$/)).toBeVisible();
  const devBox = (await dev.boundingBox())!;
  const stagingBox = (await staging.boundingBox())!;
  expect(stagingBox.y).toBe(devBox.y);
  expect(stagingBox.x).toBeGreaterThan(devBox.x + devBox.width - 1);
  const history = dev.locator('table').filter({ has: page.getByRole('link', { name: first.slice(0, 8) }) });
  await expect(history.getByRole('link', { name: second.slice(0, 8) })).toBeVisible();
  await expect(history.getByText('succeeded')).toHaveCount(2);
  await page.screenshot({ path: `${shots}/entity-tab.png`, fullPage: true });
});

test('2. a deployment page shows its nodes, log, changes and the manifests as delivered', async () => {
  await environmentCard(page, 'dev').getByRole('link', { name: second.slice(0, 8) }).click();
  await expect(page).toHaveURL(new RegExp(`${tab}/deployments/${app}/dev/${second}$`));
  await expect(page.getByText(`Deployment ${second.slice(0, 8)} to ${app}/dev`)).toBeVisible();
  // The nodes' table, not the plan's, whose rows name the nodes they depend on.
  const nodes = page.locator('table').filter({ has: page.getByRole('cell', { name: uid('s3', 'store'), exact: true }) });
  await expect(nodes.getByRole('row', { name: new RegExp(`^${uid('redis', 'cache')}`) })).toBeVisible();
  await expect(page.getByLabel('Deployment log')).toContainText(`[${uid('s3', 'store')}]`);
  await expect(page.getByText(`Changes since deployment ${first.slice(0, 8)}`)).toBeVisible();
  await expect(page.getByText(`+ ${uid('s3', 'store')}`, { exact: true })).toBeVisible();
  await expect(page.getByText(`- ${uid('dns', 'dns')}`, { exact: true })).toBeVisible();
  await expect(page.getByText(/^- .*DNS_HOST/).first()).toBeVisible();
  await expect(page.getByText(/^\+ .*BUCKET/).first()).toBeVisible();
  await expect(page.getByText('Manifests as delivered')).toBeVisible();
  await expect(page.locator('body')).not.toContainText(SECRET);
  await page.screenshot({ path: `${shots}/entity-deployment.png`, fullPage: true });
});

test('3. rolling back to the first deployment shows the plan, then succeeds', async () => {
  await page.getByRole('link', { name: '← All environments' }).click();
  await environmentCard(page, 'dev').getByRole('link', { name: first.slice(0, 8) }).click();
  await page.getByRole('button', { name: 'Roll back to this deployment' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText(`Roll back to this deployment: ${first.slice(0, 8)} to ${app}/dev`);
  await expect(dialog.getByText(new RegExp(`would change in ${app}/dev`))).toBeVisible();
  await expect(dialog.getByRole('cell', { name: 'modules.web.externals.dns', exact: true })).toBeVisible();
  await page.screenshot({ path: `${shots}/entity-rollback-plan.png` });
  await dialog.getByRole('button', { name: 'Roll back to this deployment' }).click();

  // The new deployment's page, until it has run.
  await expect(page).not.toHaveURL(new RegExp(`/${first}$`));
  await expect(page.getByText('Rollback', { exact: true })).toBeVisible();
  await expect(page.locator('.MuiChip-label', { hasText: /^succeeded$/ }).first()).toBeVisible();
  const rollback = page.url().split('/').pop()!;
  await page.getByRole('link', { name: '← All environments' }).click();
  const history = environmentCard(page, 'dev').locator('table').filter({ has: page.getByRole('link', { name: first.slice(0, 8) }) });
  const newest = history.locator('tbody tr').first();
  await expect(newest.getByRole('link', { name: rollback.slice(0, 8) })).toBeVisible();
  await expect(newest).toContainText('Rollback');
  await expect(newest).toContainText('succeeded');
  await page.screenshot({ path: `${shots}/entity-rollback.png`, fullPage: true });
});

test("4. a graph node's drawer shows its definition and outputs, secrets by name only, and explains the match", async () => {
  await environmentCard(page, 'dev').getByRole('button', { name: 'redis modules.web.externals.cache' }).click();
  const drawer = page.getByRole('dialog', { name: 'Resource modules.web.externals.cache' });
  const row = (name: string) => drawer.getByRole('row', { name: new RegExp(`^${name}`) });
  await expect(row('Definition')).toContainText(`${app}-cache`);
  await expect(row('Criterion')).toContainText(`appId=${app}`);
  await expect(row('Class')).toContainText('default');
  await expect(row('Output host')).toContainText(`cache.${app}.test`);
  await expect(row('Output password')).toContainText('secret (not shown)');
  await expect(page.locator('body')).not.toContainText(SECRET);
  await page.screenshot({ path: `${shots}/entity-node.png` });

  await drawer.getByRole('link', { name: 'Explain why this definition matched' }).click();
  await expect(page).toHaveURL(/\/baton\/explain\?/);
  await expect(page.locator('#baton-explain-type')).toHaveValue('redis');
  await expect(page.locator('#baton-explain-app')).toHaveValue(app);
  await expect(page.locator('#baton-explain-env')).toHaveValue('dev');
  await expect(page.locator('#baton-explain-resId')).toHaveValue('modules.web.externals.cache');
  await expect(page.getByText(`Chosen: ${app}-cache`)).toBeVisible();
  await page.screenshot({ path: `${shots}/entity-explain.png`, fullPage: true });
  await page.goBack();
});

test('5. an orphan left by the rollback is deprovisioned once confirmed', async () => {
  const orphans = environmentCard(page, 'dev').locator('table').filter({ has: page.getByRole('button', { name: 'Deprovision' }) });
  const store = orphans.getByRole('row', { name: /modules\.web\.externals\.store/ });
  await expect(store).toBeVisible();
  await store.getByRole('button', { name: 'Deprovision' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Deprovision s3 modules.web.externals.store?');
  await expect(dialog).toContainText(`provided by ${app}-store`);
  await page.screenshot({ path: `${shots}/entity-deprovision.png` });
  await dialog.getByRole('button', { name: 'Deprovision' }).click();
  await expect(dialog).toBeHidden();
  await expect(environmentCard(page, 'dev').getByRole('row', { name: /modules\.web\.externals\.store/ })).toHaveCount(0);
  await page.screenshot({ path: `${shots}/entity-deprovisioned.png`, fullPage: true });
});

test('6. a failed deployment says which node failed and why', async () => {
  await environmentCard(page, 'staging').getByRole('link', { name: failed.slice(0, 8) }).click();
  await expect(page.getByText(`Deployment ${failed.slice(0, 8)} to ${app}/staging`)).toBeVisible();
  await expect(page.locator('.MuiChip-label', { hasText: /^failed$/ }).first()).toBeVisible();
  const node = page.getByRole('row', { name: new RegExp(`^${uid('dns', 'dns')}`) });
  await expect(node).toContainText('failed');
  await expect(node).toContainText("template 'outputs' rendered invalid YAML");
  await expect(page.getByLabel('Deployment log')).toContainText('Deployment failed: 1 resource(s) failed');
  await page.screenshot({ path: `${shots}/entity-failed.png`, fullPage: true });
});

test("7. the Overview tab's card shows each environment's last deployment", async () => {
  await page.getByRole('navigation', { name: 'Content navigation' }).getByRole('link', { name: 'Overview' }).click();
  const card = page.locator('.MuiCard-root').filter({ has: page.getByText(`App ${app}`, { exact: true }) });
  await expect(card.getByRole('row', { name: /^dev development succeeded/ })).toBeVisible();
  await expect(card.getByRole('row', { name: /^staging staging failed/ })).toBeVisible();
  await expect(card.getByRole('link', { name: 'Open the Baton tab' })).toHaveAttribute('href', tab);
  // The card sits below the Overview's other cards, in the content's own scroll area.
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${shots}/entity-overview.png` });
});
