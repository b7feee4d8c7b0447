import fs from 'node:fs';
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { generateProjects } from '@backstage/e2e-test-utils/playwright';

/**
 * Browser tests: Debian's Chromium (or $BATON_CHROMIUM) driving the app on
 * its own instance (app-config.e2e.yaml: ports 3100/7107, data in .data/e2e),
 * started here and stopped afterwards.
 */
const configFiles = ['app-config.yaml', 'app-config.e2e.yaml'].map(file => path.resolve(__dirname, file));

// BATON_E2E_APP_PORT / BATON_E2E_BACKEND_PORT move the instance (and its
// data folder) elsewhere, so that several checkouts can run it at once.
const appPort = Number(process.env.BATON_E2E_APP_PORT ?? 3100);
const backendPort = Number(process.env.BATON_E2E_BACKEND_PORT ?? 7107);
if (appPort !== 3100 || backendPort !== 7107) {
  const data = path.resolve(__dirname, `.data/e2e-${backendPort}`);
  const override = path.resolve(__dirname, `.data/app-config.e2e-${backendPort}.yaml`);
  fs.mkdirSync(path.dirname(override), { recursive: true });
  fs.writeFileSync(
    override,
    JSON.stringify({
      app: { baseUrl: `http://localhost:${appPort}` },
      backend: {
        baseUrl: `http://localhost:${backendPort}`,
        listen: { port: backendPort },
        cors: { origin: `http://localhost:${appPort}` },
        database: { client: 'better-sqlite3', connection: { directory: path.join(data, 'sqlite') } },
      },
      orchestrator: { dataDir: path.join(data, 'orchestrator') },
    }),
  );
  configFiles.push(override);
}
const config = configFiles.map(file => `--config ${file}`).join(' ');

export default defineConfig({
  timeout: 180_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: '.data/e2e-results.json' }]],
  webServer: [
    {
      command: `yarn start backend ${config}`,
      url: `http://localhost:${backendPort}/.backstage/health/v1/readiness`,
      timeout: 180_000,
      stdout: 'ignore',
    },
    {
      command: `yarn start app ${config}`,
      url: `http://localhost:${appPort}`,
      timeout: 300_000,
      stdout: 'ignore',
    },
  ],
  use: {
    baseURL: `http://localhost:${appPort}`,
    actionTimeout: 60_000,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  outputDir: '.data/e2e-test-results',
  projects: generateProjects().map(project => ({
    ...project,
    use: {
      channel: undefined,
      launchOptions: {
        executablePath: process.env.BATON_CHROMIUM ?? '/usr/bin/chromium',
        args: ['--no-sandbox'],
      },
    },
  })),
});
