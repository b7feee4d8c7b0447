import { expect, Page, test } from '@playwright/test';

async function signIn(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  // Signed in once the sidebar links are there.
  await expect(page.getByRole('link', { name: 'Create' }).first()).toBeVisible();
}

test('a developer creates a service from the score-service template, and its resources reach the catalog', async ({ page }) => {
  const name = `e2e-${Date.now().toString(36)}`;
  await signIn(page);

  await page.goto('/create/templates/default/score-service');
  await page.getByRole('textbox', { name: /^Name/ }).fill(name);
  const owner = page.getByRole('combobox', { name: /Owner/ }).or(page.getByRole('textbox', { name: /Owner/ })).first();
  await owner.fill('guests');
  await page.getByRole('option').first().click();
  await page.getByRole('button', { name: 'Next' }).click();

  // The resource types come from Baton's definitions for development.
  await expect(page.getByRole('checkbox', { name: /^postgres/ })).toBeVisible();
  await expect(page.getByText(/Postgres on the shared development server/)).toBeVisible();
  await expect(page.getByRole('checkbox', { name: /^environment/ })).toHaveCount(0);
  await page.getByRole('checkbox', { name: /^postgres/ }).check();
  await page.getByRole('checkbox', { name: /^s3/ }).check();
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();

  await expect(page.getByText(/Deployment \S+ succeeded/)).toBeVisible({ timeout: 120_000 });

  // The provider turns the deployment's resources into Resource entities.
  await expect(async () => {
    await page.goto('/?filters%5Bkind%5D=resource&filters%5Buser%5D=all');
    await page.getByPlaceholder('Search').fill(name);
    await expect(page.getByText('All Resources (3)')).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 120_000 });
  // Its entity page has the Baton tab: the environment's graph with this resource marked.
  await page.getByRole('link', { name: new RegExp(`^postgres .*${name}`) }).click();
  await page.locator('a[href*="/catalog/default/resource/"][href$="/baton"]').click();
  await expect(page.getByRole('heading', { name: 'This resource', exact: true })).toBeVisible();
  await expect(page.getByText(`${name} / dev`)).toBeVisible();
  await expect(page.locator('svg').getByText(`▶ postgres modules.${name}.externals.postgres`)).toBeVisible();
});

test('the sidebar leads to the platform page, which shows the orchestrator', async ({ page }) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Baton' }).click();
  await expect(page).toHaveURL(/\/baton$/);
  await expect(page.getByText('Platform orchestrator', { exact: false })).toBeVisible();
  await expect(page.getByText('ok', { exact: true })).toBeVisible();
});
