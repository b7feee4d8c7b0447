import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { APIRequestContext, expect, Locator, Page, test } from '@playwright/test';
import { backend, backendAsGuest, shots, signIn } from './backendAsGuest';

// One app shared by the steps.
test.describe.configure({ mode: 'serial' });

const app = `e2e-previews-${Date.now().toString(36)}`;
const tab = `/catalog/default/component/${app}/baton`;
const repository = path.resolve(`.data/e2e-previews/${app}`);
let page: Page;
let request: APIRequestContext;
let api: Awaited<ReturnType<typeof backendAsGuest>>;

const environmentCard = (on: Page, env: string): Locator =>
  on.locator('.MuiCard-root').filter({ has: on.getByText(`${app} / ${env}`, { exact: true }) });

const git = (...args: string[]) =>
  execFileSync('git', ['-C', repository, '-c', 'user.name=dev', '-c', 'user.email=dev@example.com', ...args], { encoding: 'utf8' });

/**
 * The app `e2e-previews-…` watching a local repository whose branch
 * `preview/login` opens the preview environment `pr-preview-login`, and an
 * environment `scratch` living two hours.
 */
test.beforeAll(async ({ playwright, browser }) => {
  // Kept for the steps, which read the environments through the API.
  request = await playwright.request.newContext();
  api = await backendAsGuest(request);
  await api.orchestrator(
    'PUT',
    `/resource-definitions/${app}-cache`,
    `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: ${app}-cache }
spec:
  type: redis
  driver: echo
  driverInputs: { values: { host: cache.${app}.test } }
  criteria: [{ appId: ${app} }]
`,
    'application/yaml',
  );
  fs.mkdirSync(repository, { recursive: true });
  git('init', '--initial-branch=main');
  fs.writeFileSync(
    path.join(repository, 'score.yaml'),
    `apiVersion: score.dev/v1b1
metadata: { name: web }
containers:
  main: { image: nginx, variables: { CACHE: "\${resources.cache.host}" } }
resources:
  cache: { type: redis }
`,
  );
  git('add', 'score.yaml');
  git('commit', '-m', 'web with a cache');
  git('branch', 'preview/login');

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
  await api.orchestrator('PUT', `/apps/${app}`, { title: app, entityRef: `component:default/${app}`, repository: { url: repository, branches: { main: 'dev' } } });
  await api.orchestrator('PUT', `/apps/${app}/envs/dev`, { type: 'development' });
  await api.orchestrator('PUT', `/apps/${app}/envs/scratch`, { type: 'development', ttl: 'PT2H' });
  // The push notification: main deploys to dev, preview/login opens its preview and deploys to it.
  await api.orchestrator('POST', '/webhooks/git', { repository });
  await expect
    .poll(async () => (await api.orchestrator('GET', `/apps/${app}/envs/pr-preview-login/deployments`)).items[0]?.status, { timeout: 120_000 })
    .toBe('succeeded');

  await expect
    .poll(async () => (await request.get(`${backend}/api/catalog/entities/by-name/component/default/${app}`)).status(), { timeout: 60_000 })
    .not.toBe(404);
  page = await browser.newPage({ viewport: { width: 1920, height: 1400 } });
  await signIn(page);
});

test.afterAll(async () => {
  await page.close();
  await request.dispose();
  fs.rmSync(repository, { recursive: true, force: true });
});

test('1. the Baton tab lists the preview of a preview branch with its source and expiry', async () => {
  await page.goto(tab);
  const previews = page.locator('.MuiCard-root').filter({ has: page.getByText('Preview environments', { exact: true }) });
  const row = previews.getByRole('row').filter({ has: page.getByRole('cell', { name: 'pr-preview-login', exact: true }) });
  await expect(row.getByRole('cell', { name: 'preview/login' }).first()).toBeVisible();
  await expect(row.getByRole('cell', { name: /^in 3 days/ })).toBeVisible();
  await expect(row.getByRole('cell', { name: 'dev', exact: true })).toHaveCount(0);
  const card = environmentCard(page, 'pr-preview-login');
  await expect(card.getByText('preview of preview/login')).toBeVisible();
  await expect(card.getByText('expires in 3 days')).toBeVisible();
  await expect(card.locator('svg').getByText(/^redis modules\.web\.externals\.cache · active$/)).toBeVisible();
  // dev follows main and never expires.
  await expect(environmentCard(page, 'dev').getByText(/^expires /)).toHaveCount(0);
  await page.screenshot({ path: `${shots}/entity-previews.png`, fullPage: true });
});

test('2. "Extend" starts an environment\'s time to live again', async () => {
  const before = (await api.orchestrator('GET', `/apps/${app}/envs/scratch`)).expiresAt as string;
  const card = environmentCard(page, 'scratch');
  await expect(card.getByText('expires in 2 hours')).toBeVisible();
  await card.getByRole('button', { name: 'Extend scratch by PT2H' }).click();
  await expect.poll(async () => Date.parse((await api.orchestrator('GET', `/apps/${app}/envs/scratch`)).expiresAt)).toBeGreaterThan(Date.parse(before));
  await expect(card.getByText('expires in 2 hours')).toBeVisible();
  await card.getByText('expires in 2 hours').hover();
  const after = (await api.orchestrator('GET', `/apps/${app}/envs/scratch`)).expiresAt as string;
  await expect(page.getByRole('tooltip')).toHaveText(`Time to live PT2H: torn down at ${await page.evaluate(iso => new Date(iso).toLocaleString(), after)}`);
  await page.screenshot({ path: `${shots}/entity-extend.png`, fullPage: true });
});

test('3. deleting the branch removes the preview from the tab', async () => {
  git('branch', '-D', 'preview/login');
  await api.orchestrator('POST', '/webhooks/git', { repository });
  await expect.poll(async () => (await api.orchestrator('GET', `/apps/${app}/envs`)).items.map((e: { id: string }) => e.id), { timeout: 60_000 }).toEqual(['dev', 'scratch']);
  await page.reload();
  await expect(environmentCard(page, 'scratch')).toBeVisible();
  await expect(page.getByText('Preview environments', { exact: true })).toHaveCount(0);
  await expect(environmentCard(page, 'pr-preview-login')).toHaveCount(0);
});
