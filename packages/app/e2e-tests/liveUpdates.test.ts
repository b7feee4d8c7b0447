import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { backend, backendAsGuest, shots, signIn } from './backendAsGuest';

// Pages update through Backstage's signals instead of polling, and the owner
// of an app's catalog entity is notified when one of its deployments fails.

const REQUESTER_TOKEN = 'e2e-approvals-requester-token';

test.use({ viewport: { width: 1600, height: 1200 } });

const app = `e2e-live-${Date.now().toString(36)}`;
const workload = `apiVersion: score.dev/v1b1
metadata: { name: web }
containers: { main: { image: nginx } }
resources:
  host: { type: dns }
`;
/** Needs a resource no definition gives: the deployment fails. */
const broken = `apiVersion: score.dev/v1b1
metadata: { name: web }
containers: { main: { image: nginx } }
resources:
  stream: { type: kafka }
`;

test("a deployment page turns succeeded without polling or reload, and the owner is notified of a failed deployment", async ({ page, request }) => {
  const api = await backendAsGuest(request);
  await api.orchestrator(
    'PUT',
    `/resource-definitions/${app}-dns`,
    `apiVersion: baton.dev/v1\nkind: ResourceDefinition\nmetadata: { id: ${app}-dns }\nspec: { type: dns, driver: echo, driverInputs: { values: { host: ${app}.example.test } }, criteria: [{ appId: ${app} }] }\n`,
    'application/yaml',
  );
  // The guest owns the app's entity: the notifications are theirs.
  const entityFile = path.resolve(`.data/e2e-entities/${app}.yaml`);
  fs.mkdirSync(path.dirname(entityFile), { recursive: true });
  fs.writeFileSync(
    entityFile,
    `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${app}\n  annotations: { baton.dev/app: ${app} }\nspec: { type: service, lifecycle: experimental, owner: user:development/guest }\n`,
  );
  await api.call('POST', '/catalog/locations', { type: 'file', target: entityFile });
  await api.orchestrator('PUT', `/env-types/${app}-protected`, { name: 'Protected', approval: { required: true } });
  await api.orchestrator('PUT', `/env-types/${app}-dev`, { name: 'Development' });
  await api.orchestrator('PUT', `/apps/${app}`, { title: app, entityRef: `component:default/${app}` });
  await api.orchestrator('PUT', `/apps/${app}/envs/prod`, { type: `${app}-protected` });
  await api.orchestrator('PUT', `/apps/${app}/envs/dev`, { type: `${app}-dev` });
  await expect
    .poll(async () => (await request.get(`${backend}/api/catalog/entities/by-name/component/default/${app}`)).status(), { timeout: 60_000 })
    .not.toBe(404);

  // A deployment waiting for approval: nothing about it changes until someone decides.
  const requested = await request.post(`${backend}/api/orchestrator/apps/${app}/envs/prod/deployments`, {
    headers: { authorization: `Bearer ${REQUESTER_TOKEN}`, 'content-type': 'application/json' },
    data: JSON.stringify({ workloads: [workload] }),
  });
  expect(requested.status(), await requested.text()).toBe(202);
  const { id } = (await requested.json()) as { id: string };

  await signIn(page);
  const deploymentUrl = `/catalog/default/component/${app}/baton/deployments/${app}/prod/${id}`;
  await page.goto(deploymentUrl);
  await expect(page.getByText('Awaiting approval', { exact: true })).toBeVisible();
  // Reads of this deployment by the page from now on; a reload would clear the marker.
  const reads: number[] = [];
  page.on('request', r => {
    if (r.method() === 'GET' && new URL(r.url()).pathname === `/api/orchestrator/apps/${app}/envs/prod/deployments/${id}`) reads.push(Date.now());
  });
  await page.evaluate(() => Object.assign(window, { batonNotReloaded: true }));
  // More than twice the polling interval (2 s): a polling page would have read it again.
  await page.waitForTimeout(5_000);
  expect(reads).toEqual([]);

  // Approved elsewhere (not on this page), it runs; the page follows it through signals.
  await api.orchestrator('POST', `/apps/${app}/envs/prod/deployments/${id}/approve`, { comment: 'from the API' });
  await expect(page.getByText('succeeded', { exact: true }).first()).toBeVisible({ timeout: 120_000 });
  await expect(page.getByText('Manifests as delivered')).toBeVisible();
  expect(await page.evaluate(() => (window as { batonNotReloaded?: boolean }).batonNotReloaded)).toBe(true);
  // One read per burst of signals (approved, started, provisioned, finished), not one every 2 s.
  expect(reads.length).toBeGreaterThan(0);
  expect(reads.length).toBeLessThanOrEqual(6);
  await page.screenshot({ path: `${shots}/live-deployment-succeeded.png`, fullPage: true });

  // A failed deployment: its owner, the guest, finds it among their notifications.
  const failed = await api.deploy(app, 'dev', [broken]);
  expect(failed.status).toBe('failed');
  await page.goto('/notifications');
  const notification = page.getByText(`Deployment of ${app} to dev failed`);
  await expect(notification).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText(new RegExp(`Deployment ${failed.id.slice(0, 8)} of ${app} to dev failed`))).toBeVisible();
  await page.screenshot({ path: `${shots}/notification-deployment-failed.png`, fullPage: true });
  // It links to the deployment's page, which says why.
  await notification.click();
  await expect(page).toHaveURL(new RegExp(`/catalog/default/component/${app}/baton/deployments/${app}/dev/${failed.id}$`));
  await expect(page.getByText('no resource definition matches', { exact: false }).first()).toBeVisible();
});
