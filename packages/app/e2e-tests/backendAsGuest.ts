import { APIRequestContext, expect, Page } from '@playwright/test';

/** The test instance's backend (see playwright.config.ts). */
export const backend = `http://localhost:${process.env.BATON_E2E_BACKEND_PORT ?? 7107}`;

/** Where the browser tests save their screenshots. */
export const shots = '.data/e2e-screenshots';

export async function signIn(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(page.getByRole('link', { name: 'Create' }).first()).toBeVisible();
}

/**
 * The backend's API as the guest user, to make a test's data: `call` for any
 * plugin's route under `/api`, `orchestrator` for Baton's, and `deploy`,
 * which waits until the deployment has finished.
 */
export async function backendAsGuest(request: APIRequestContext) {
  const refresh = await request.get(`${backend}/api/auth/guest/refresh?env=development`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  expect(refresh.ok()).toBeTruthy();
  const token = (await refresh.json()).backstageIdentity.token as string;
  const call = async (method: string, url: string, body?: unknown, contentType = 'application/json') => {
    const response = await request.fetch(`${backend}/api${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      // A string body goes as it is (YAML); anything else as JSON.
      data: typeof body === 'string' || body === undefined ? body : JSON.stringify(body),
    });
    expect(response.status(), `${method} ${url}: ${await response.text()}`).toBeLessThan(300);
    return response.status() === 204 ? undefined : response.json();
  };
  const orchestrator = (method: string, url: string, body?: unknown, contentType?: string) =>
    call(method, `/orchestrator${url}`, body, contentType);
  return {
    call,
    orchestrator,
    async deploy(app: string, env: string, workloads: string[]) {
      const { id } = await orchestrator('POST', `/apps/${app}/envs/${env}/deployments`, { workloads });
      await expect
        .poll(async () => (await orchestrator('GET', `/apps/${app}/envs/${env}/deployments/${id}`)).status, {
          timeout: 120_000,
        })
        .toMatch(/succeeded|failed/);
      return (await orchestrator('GET', `/apps/${app}/envs/${env}/deployments/${id}`)) as { id: string; status: string };
    },
  };
}
