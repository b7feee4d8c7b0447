import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { backend, backendAsGuest, shots, signIn } from './backendAsGuest';

// Deployments to a protected environment wait for approval. A service
// (app-config.e2e.yaml's static token) requests them; the signed-in guest,
// who did not, approves one on its deployment page and rejects another.

const REQUESTER_TOKEN = 'e2e-approvals-requester-token';

test.use({ viewport: { width: 1600, height: 1400 } });

const app = `e2e-approve-${Date.now().toString(36)}`;
const envType = `${app}-protected`;
const workload = `apiVersion: score.dev/v1b1
metadata: { name: web }
containers: { main: { image: nginx } }
resources:
  host: { type: dns }
`;

/** The next release: a new image and a database, provisioned only once it is approved. */
const nextRelease = `apiVersion: score.dev/v1b1
metadata: { name: web }
containers:
  main:
    image: nginx:1.27
    variables: { DB_HOST: "\${resources.db.host}" }
resources:
  host: { type: dns }
  db: { type: postgres }
`;

test('the guest approves one waiting deployment and rejects another, each from its deployment page', async ({ page, request }) => {
  const api = await backendAsGuest(request);
  /** Requests as the service, not as the guest. */
  const asRequester = async (url: string, body: unknown) => {
    const response = await request.post(`${backend}/api/orchestrator${url}`, {
      headers: { authorization: `Bearer ${REQUESTER_TOKEN}`, 'content-type': 'application/json' },
      data: JSON.stringify(body),
    });
    expect(response.status(), `POST ${url}: ${await response.text()}`).toBe(202);
    return (await response.json()) as { id: string; status: string };
  };

  await api.orchestrator(
    'PUT',
    `/resource-definitions/${app}-dns`,
    `apiVersion: baton.dev/v1\nkind: ResourceDefinition\nmetadata: { id: ${app}-dns }\nspec: { type: dns, driver: echo, driverInputs: { values: { host: ${app}.example.test } }, criteria: [{ appId: ${app} }] }\n`,
    'application/yaml',
  );
  const entityFile = path.resolve(`.data/e2e-entities/${app}.yaml`);
  fs.mkdirSync(path.dirname(entityFile), { recursive: true });
  fs.writeFileSync(
    entityFile,
    `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${app}\n  annotations: { baton.dev/app: ${app} }\nspec: { type: service, lifecycle: experimental, owner: guests }\n`,
  );
  await api.call('POST', '/catalog/locations', { type: 'file', target: entityFile });
  await api.orchestrator(
    'PUT',
    `/resource-definitions/${app}-pg`,
    `apiVersion: baton.dev/v1\nkind: ResourceDefinition\nmetadata: { id: ${app}-pg }\nspec: { type: postgres, driver: postgres, driverInputs: { values: { host: 127.0.0.1 } }, criteria: [{ appId: ${app} }] }\n`,
    'application/yaml',
  );
  await api.orchestrator('PUT', `/env-types/${envType}`, { name: 'Protected', approval: { required: true } });
  await api.orchestrator('PUT', `/apps/${app}`, { title: app, entityRef: `component:default/${app}` });
  await api.orchestrator('PUT', `/apps/${app}/envs/prod`, { type: envType });
  await api.orchestrator('PUT', `/apps/${app}/envs/live`, { type: envType });
  const toApprove = await asRequester(`/apps/${app}/envs/prod/deployments`, { workloads: [workload], comment: 'release 1.2' });
  const toReject = await asRequester(`/apps/${app}/envs/live/deployments`, { workloads: [workload], comment: 'release 1.3' });
  expect([toApprove.status, toReject.status]).toEqual(['awaiting-approval', 'awaiting-approval']);
  await expect
    .poll(async () => (await request.get(`${backend}/api/catalog/entities/by-name/component/default/${app}`)).status(), { timeout: 60_000 })
    .not.toBe(404);

  // The platform page lists both, each linked to its deployment page.
  await signIn(page);
  await page.goto('/baton/approvals');
  await expect(page.getByText(/^Awaiting approval \(\d+\)$/)).toBeVisible();
  await page.getByPlaceholder('Filter').fill(app);
  await expect(page.getByRole('link', { name: toApprove.id.slice(0, 8) })).toBeVisible();
  await expect(page.getByRole('link', { name: toReject.id.slice(0, 8) })).toBeVisible();
  await page.screenshot({ path: `${shots}/approvals.png`, fullPage: true });

  // Waiting: who asked, the plan, Approve / Reject.
  await page.getByRole('link', { name: toApprove.id.slice(0, 8) }).click();
  await expect(page).toHaveURL(new RegExp(`/deployments/${app}/prod/${toApprove.id}$`));
  await expect(page.getByText('Awaiting approval', { exact: true })).toBeVisible();
  await expect(page.getByText(/^Requested by service:e2e-requester on /)).toBeVisible();
  await expect(page.getByText(/resources? as planned for/)).toBeVisible();
  await expect(page.getByRole('cell', { name: 'modules.web.externals.host', exact: true })).toBeVisible();
  await page.screenshot({ path: `${shots}/approval-waiting.png`, fullPage: true });

  await page.getByRole('button', { name: 'Approve…' }).click();
  const approveDialog = page.getByRole('dialog');
  await approveDialog.getByLabel('Comment (optional)').fill('Plan reviewed');
  await approveDialog.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(page.getByLabel('Approval decision')).toHaveText(/^Approved by guest on .*: Plan reviewed$/);
  // Approved, it runs like any other deployment.
  await expect(page.getByText('succeeded', { exact: true }).first()).toBeVisible({ timeout: 120_000 });
  await expect(page.getByText('Manifests as delivered')).toBeVisible();
  await page.screenshot({ path: `${shots}/approval-approved.png`, fullPage: true });

  // (Text is matched with its spaces collapsed.) The next release waits with the manifests it would deliver: a new image, and a new database
  // whose host only provisioning tells, against what prod runs now.
  const release = await asRequester(`/apps/${app}/envs/prod/deployments`, { workloads: [nextRelease], comment: 'release 1.3' });
  await page.goto(`/catalog/default/component/${app}/baton/deployments/${app}/prod/${release.id}`);
  await expect(page.getByText('Awaiting approval', { exact: true })).toBeVisible();
  await expect(page.getByText('Changes it would make to the environment')).toBeVisible();
  await expect(page.getByText(/^Proposed: what this deployment would deliver once approved, against what deployment /)).toBeVisible();
  await expect(page.getByText('- image: nginx', { exact: true })).toBeVisible();
  await expect(page.getByText('+ image: nginx:1.27', { exact: true })).toBeVisible();
  await expect(page.getByText("+ value: '(known after provisioning: resources.db.host)'", { exact: true })).toBeVisible();
  await page.getByText('Proposed: what this deployment would deliver').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${shots}/approval-manifest-diff.png`, fullPage: true });

  await page.goto('/baton/approvals');
  await page.getByPlaceholder('Filter').fill(app);
  await expect(page.getByRole('link', { name: toApprove.id.slice(0, 8) })).toHaveCount(0);
  await page.getByRole('link', { name: toReject.id.slice(0, 8) }).click();
  await page.getByRole('button', { name: 'Reject…' }).click();
  const rejectDialog = page.getByRole('dialog');
  await rejectDialog.getByLabel('Comment (optional)').fill('Not during the freeze');
  await rejectDialog.getByRole('button', { name: 'Reject', exact: true }).click();
  await expect(page.getByLabel('Approval decision')).toHaveText(/^Rejected by guest on .*: Not during the freeze$/);
  await expect(page.getByText('rejected', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Approve…' })).toHaveCount(0);
  await page.screenshot({ path: `${shots}/approval-rejected.png`, fullPage: true });

  // The environments' histories say who asked and who decided.
  await page.goto(`/catalog/default/component/${app}/baton`);
  await expect(page.getByRole('cell', { name: 'service:e2e-requester, approved by guest', exact: true })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'service:e2e-requester, rejected by guest', exact: true })).toBeVisible();
  await page.screenshot({ path: `${shots}/approval-history.png`, fullPage: true });

  const approved = await api.orchestrator('GET', `/apps/${app}/envs/prod/deployments/${toApprove.id}`);
  const rejected = await api.orchestrator('GET', `/apps/${app}/envs/live/deployments/${toReject.id}`);
  // The guest signs in as user:development/guest (the guest provider's development environment).
  const guest = 'user:development/guest';
  expect([approved.status, approved.decidedBy, approved.createdBy]).toEqual(['succeeded', guest, 'service:e2e-requester']);
  expect([rejected.status, rejected.decidedBy, rejected.decisionComment, rejected.startedAt]).toEqual([
    'rejected',
    guest,
    'Not during the freeze',
    undefined,
  ]);
});
