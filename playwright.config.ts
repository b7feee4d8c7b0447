import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { generateProjects } from '@backstage/e2e-test-utils/playwright';

/**
 * Browser tests: Debian's Chromium (or $BATON_CHROMIUM) driving the app on
 * its own instance (app-config.e2e.yaml: ports 3100/7107, data in .data/e2e),
 * started here and stopped afterwards.
 */
const config = ['app-config.yaml', 'app-config.e2e.yaml']
  .map(file => `--config ${path.resolve(__dirname, file)}`)
  .join(' ');

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
      url: 'http://localhost:7107/.backstage/health/v1/readiness',
      timeout: 180_000,
      stdout: 'ignore',
    },
    {
      command: `yarn start app ${config}`,
      url: 'http://localhost:3100',
      timeout: 300_000,
      stdout: 'ignore',
    },
  ],
  use: {
    baseURL: 'http://localhost:3100',
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
