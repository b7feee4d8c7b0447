import { expect, test } from '@playwright/test';
import { backendAsGuest, shots, signIn } from './backendAsGuest';


// Tall enough that the screenshots show the tables below the forms.
test.use({ viewport: { width: 1400, height: 1400 } });

const workload = (name: string, resources: Record<string, string>) =>
  `apiVersion: score.dev/v1b1
metadata: { name: ${name} }
containers: { main: { image: nginx } }
resources:
${Object.entries(resources).map(([id, type]) => `  ${id}: { type: ${type} }`).join('\n') || '  {}'}
`;

/** A fresh app with a development environment. */
async function newApp(api: Awaited<ReturnType<typeof backendAsGuest>>, prefix: string) {
  const app = `${prefix}-${Date.now().toString(36)}`;
  await api.orchestrator('PUT', `/apps/${app}`, { title: app });
  await api.orchestrator('PUT', `/apps/${app}/envs/dev`, { type: 'development' });
  return app;
}

test('the definitions table and a definition page with its YAML, secrets masked, and its resources', async ({ page, request }) => {
  const api = await backendAsGuest(request);
  const app = await newApp(api, 'e2e-defs');
  const id = `${app}-cache`;
  await api.orchestrator(
    'PUT',
    `/resource-definitions/${id}`,
    `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: ${id} }
spec:
  type: redis
  driver: echo
  driverInputs:
    values: { host: cache.${app}.local }
    secrets: { password: e2e-secret-value }
  criteria: [{ appId: ${app} }]
`,
    'application/yaml',
  );
  await api.deploy(app, 'dev', [workload('web', { cache: 'redis' })]);

  await signIn(page);
  await page.getByRole('link', { name: 'Baton' }).click();
  await expect(page.getByText(/Resource definitions \(\d+\)/)).toBeVisible();
  await expect(page.getByRole('link', { name: 'postgres-dev' }).or(page.getByRole('link', { name: /^pg/ })).first()).toBeVisible();
  await page.screenshot({ path: `${shots}/definitions.png`, fullPage: true });

  await page.getByPlaceholder('Filter').fill(id);
  await page.getByRole('link', { name: id }).click();
  await expect(page).toHaveURL(new RegExp(`/baton/definitions/${id}$`));
  await expect(page.getByText(`Resource definition ${id}`)).toBeVisible();
  await expect(page.locator('code')).toContainText('password: <secret>');
  await expect(page.locator('body')).not.toContainText('e2e-secret-value');
  await expect(page.getByRole('cell', { name: app, exact: true })).toBeVisible();
  await page.screenshot({ path: `${shots}/definition.png`, fullPage: true });
});

test('explain shows the chosen definition and a candidate that lost', async ({ page, request }) => {
  const api = await backendAsGuest(request);
  const app = await newApp(api, 'e2e-explain');
  await signIn(page);
  await page.goto(`/baton/explain?type=postgres&app=${app}&env=dev&resId=modules.web.externals.db`);
  await expect(page.getByText(/^Chosen: /)).toBeVisible();
  await expect(page.getByText('lost', { exact: true }).first()).toBeVisible();
  await expect(page.getByText('matched', { exact: true }).first()).toBeVisible();
  await page.screenshot({ path: `${shots}/explain.png`, fullPage: true });
});

test('a platform engineer creates and deletes an environment', async ({ page, request }) => {
  const api = await backendAsGuest(request);
  const app = await newApp(api, 'e2e-envs');
  await signIn(page);
  await page.goto('/baton/environments');
  await page.locator('#baton-env-app').click();
  await page.getByRole('option', { name: app }).click();
  await page.locator('#baton-env-id').fill('review');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(page.getByRole('button', { name: `Delete ${app}/review` })).toBeVisible();
  await page.screenshot({ path: `${shots}/environments.png`, fullPage: true });

  await page.getByRole('button', { name: `Delete ${app}/review` }).click();
  await expect(page.getByRole('dialog')).toContainText(`Delete environment ${app}/review?`);
  await page.screenshot({ path: `${shots}/environment-delete.png` });
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('button', { name: `Delete ${app}/review` })).toHaveCount(0);
  expect((await api.orchestrator('GET', `/apps/${app}/envs`)).items.map((e: { id: string }) => e.id)).toEqual(['dev']);
});

test('a failed deployment comes first', async ({ page, request }) => {
  const api = await backendAsGuest(request);
  const app = await newApp(api, 'e2e-fail');
  await api.orchestrator(
    'PUT',
    `/resource-definitions/${app}-broken`,
    `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: ${app}-broken }
spec:
  type: dns
  driver: template
  driverInputs:
    values:
      templates:
        outputs: "host: [unclosed"
  criteria: [{ appId: ${app} }]
`,
    'application/yaml',
  );
  await api.orchestrator('PUT', `/apps/${app}`, { title: app, entityRef: `component:default/${app}` });
  const failed = await api.deploy(app, 'dev', [workload('web', { host: 'dns' })]);
  expect(failed.status).toBe('failed');
  // A newer deployment that succeeds: the failed one still comes first.
  const other = await newApp(api, 'e2e-ok');
  await api.deploy(other, 'dev', [workload('web', {})]);

  await signIn(page);
  await page.goto('/baton/deployments');
  await expect(page.getByText(/^Failed \(\d+\)$/)).toBeVisible();
  const failedTable = page.locator('table').first();
  await expect(failedTable.getByRole('row', { name: new RegExp(app) }).first()).toBeVisible();
  // The app names its entity: the deployment links to the entity page's deployment view.
  await expect(failedTable.getByRole('link', { name: failed.id.slice(0, 8) })).toHaveAttribute(
    'href',
    `/catalog/default/component/${app}/baton/deployments/${app}/dev/${failed.id}`,
  );
  await page.screenshot({ path: `${shots}/deployments.png`, fullPage: true });
});

test('an orphaned resource is deprovisioned', async ({ page, request }) => {
  const api = await backendAsGuest(request);
  const app = await newApp(api, 'e2e-orphan');
  await api.deploy(app, 'dev', [workload('web', { cache: 'redis' })]);
  await api.deploy(app, 'dev', [workload('web', {})]);
  const orphans = await api.orchestrator('GET', '/resources?status=orphaned&limit=1000');
  const orphan = orphans.items.find((r: { app: string }) => r.app === app);
  expect(orphan).toBeDefined();

  await signIn(page);
  await page.goto('/baton/orphans');
  const button = page.getByRole('button', { name: `Deprovision ${orphan.uid} of ${app}/dev` });
  await expect(button).toBeVisible();
  await page.screenshot({ path: `${shots}/orphans.png`, fullPage: true });
  await button.click();
  await page.getByRole('dialog').getByRole('button', { name: 'Deprovision' }).click();
  await expect(button).toHaveCount(0);
  await page.screenshot({ path: `${shots}/orphans-after.png`, fullPage: true });
  const after = await api.orchestrator('GET', '/resources?status=orphaned&limit=1000');
  expect(after.items.filter((r: { app: string }) => r.app === app)).toEqual([]);
});
