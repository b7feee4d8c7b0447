import type { BackendFeature } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend, type TestBackend } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { orchestratorPlugin } from '../plugin';

export interface TestOrchestratorOptions {
  /** A database from `TestDatabases`; without one, the test backend's own. */
  knex?: Knex;
  /** Resource definitions (YAML), written to `definitions.yaml` in the data folder and listed in `orchestrator.definitions`. */
  definitions?: string;
  /** More `orchestrator` configuration: `gitops`, `secrets`, `gitWatch`, `externalSecrets`… */
  orchestrator?: Record<string, unknown>;
  /** Configuration besides `orchestrator`. */
  config?: Record<string, unknown>;
  /** Driver modules, service factories and other features next to the plugin. */
  features?: BackendFeature[];
  /** Environment types to create. */
  envTypes?: string[];
  /** Apps to create. */
  apps?: string[];
  /** Environments to create, `'app/env'` to their type; their apps and types are created first. */
  environments?: Record<string, string>;
}

export interface TestOrchestrator {
  backend: TestBackend;
  /** Requests to the backend's server, as a signed-in user. */
  api: ReturnType<typeof request>;
  /** The orchestrator's data folder (its GitOps repository is `gitops` in it). */
  dataDir: string;
  /** Queues a deployment of `workloads` (Score YAML) and gives its id. */
  deploy(app: string, env: string, workloads: string[]): Promise<string>;
  /** Polls a deployment until it succeeded, failed or was cancelled, and gives that record. */
  waitForDeployment(app: string, env: string, id: string): Promise<DeploymentRecord>;
  /** Stops the backend and removes the data folder; once, however often it is called. */
  stop(): Promise<void>;
}

/** A deployment as the API answers it; the rest of its fields are the test's to read. */
export type DeploymentRecord = { id: string; status: string; error?: string } & Record<string, any>;

const TERMINAL = ['succeeded', 'failed', 'cancelled', 'rejected'];
const running = new Set<TestOrchestrator>();

// A test that fails before its stop() would leave a backend serving and a folder behind.
afterAll(async () => {
  await Promise.all([...running].map(orchestrator => orchestrator.stop()));
});

/**
 * The orchestrator plugin on Backstage's test backend, with a data folder of
 * its own: what the API, runner and delivery tests start.
 */
export async function createTestOrchestrator(options: TestOrchestratorOptions = {}): Promise<TestOrchestrator> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-test-'));
  const definitions: string[] = [];
  if (options.definitions !== undefined) {
    definitions.push(path.join(dataDir, 'definitions.yaml'));
    fs.writeFileSync(definitions[0], options.definitions);
  }
  let backend: TestBackend;
  try {
    backend = await startTestBackend({
      features: [
        orchestratorPlugin,
        ...(options.knex ? [mockServices.database.factory({ knex: options.knex })] : []),
        mockServices.rootConfig.factory({
          data: { ...options.config, orchestrator: { dataDir, definitions, ...options.orchestrator } },
        }),
        ...(options.features ?? []),
      ],
    });
  } catch (error) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }

  const api = request(backend.server);
  const deployments = (app: string, env: string) => `/api/orchestrator/apps/${app}/envs/${env}/deployments`;
  let stopped: Promise<void> | undefined;
  const orchestrator: TestOrchestrator = {
    backend,
    api,
    dataDir,
    async deploy(app, env, workloads) {
      const created = await api.post(deployments(app, env)).send({ workloads }).expect(202);
      return created.body.id;
    },
    async waitForDeployment(app, env, id) {
      // No deadline of its own: the test's timeout says how long is too long.
      for (;;) {
        const { body } = await api.get(`${deployments(app, env)}/${id}`).expect(200);
        if (TERMINAL.includes(body.status)) return body;
        await new Promise(resolve => setTimeout(resolve, 50));
      }
    },
    stop() {
      running.delete(orchestrator);
      stopped ??= backend.stop().finally(() => fs.rmSync(dataDir, { recursive: true, force: true }));
      return stopped;
    },
  };
  running.add(orchestrator);

  const environments = Object.entries(options.environments ?? {}).map(([key, type]) => {
    const [app, env] = key.split('/');
    return { app, env, type };
  });
  const envTypes = new Set([...(options.envTypes ?? []), ...environments.map(e => e.type)]);
  const apps = new Set([...(options.apps ?? []), ...environments.map(e => e.app)]);
  for (const type of envTypes) await api.put(`/api/orchestrator/env-types/${type}`).send({}).expect(200);
  for (const app of apps) await api.put(`/api/orchestrator/apps/${app}`).send({}).expect(200);
  for (const { app, env, type } of environments) {
    await api.put(`/api/orchestrator/apps/${app}/envs/${env}`).send({ type }).expect(200);
  }
  return orchestrator;
}
