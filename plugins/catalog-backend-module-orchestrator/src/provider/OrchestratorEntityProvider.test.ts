import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { BackendFeature, coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import orchestratorPlugin from '@baton/backstage-plugin-orchestrator-backend';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { catalogProcessingExtensionPoint, catalogServiceRef, EntityProviderConnection } from '@backstage/plugin-catalog-node';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import { catalogModuleOrchestrator } from '../module';
import { OrchestratorEntityProvider } from './OrchestratorEntityProvider';

jest.setTimeout(120_000);

/**
 * The real catalog backend and the orchestrator backend in one test backend,
 * with an app `shop` (a System and its Component `web`) and an environment `dev`.
 */
async function startCatalog(features: BackendFeature[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-catalog-'));
  fs.writeFileSync(
    path.join(dir, 'definitions.yaml'),
    `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: pg }
spec: { type: postgres, driver: echo, driverInputs: { values: { host: pg.internal }, secrets: { password: catalog-test-secret } }, criteria: [{}] }
---
apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: dns }
spec: { type: dns, driver: echo, driverInputs: { values: { host: shop.example.com } }, criteria: [{}] }
---
apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: route }
spec: { type: route, driver: echo, driverInputs: { values: { path: / } }, provision: { dns: {} }, criteria: [{}] }
---
apiVersion: baton.dev/v1
kind: EnvironmentType
metadata: { id: development }
---
apiVersion: baton.dev/v1
kind: Environment
metadata: { app: shop, id: dev }
spec: { type: development }
`,
  );
  fs.writeFileSync(
    path.join(dir, 'entities.yaml'),
    `apiVersion: backstage.io/v1alpha1
kind: System
metadata: { name: shop, annotations: { baton.dev/app: shop } }
spec: { owner: group:default/shop-team }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: web, annotations: { baton.dev/app: shop } }
spec: { type: service, lifecycle: production, owner: group:default/shop-team, system: shop }
`,
  );
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      orchestratorPlugin,
      ...features,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          catalog: {
            rules: [{ allow: ['Component', 'System', 'Resource', 'Location'] }],
            locations: [{ type: 'file', target: path.join(dir, 'entities.yaml') }],
            providers: { orchestrator: { schedule: { frequency: { seconds: 2 }, timeout: { seconds: 30 } } } },
            processingInterval: { seconds: 1 },
          },
          orchestrator: { dataDir: dir, definitions: [path.join(dir, 'definitions.yaml')] },
        },
      }),
    ],
  });
  const api = request(backend.server);
  const resources = async () => {
    const res = await api.get('/api/catalog/entities?filter=kind=resource');
    return res.body as any[];
  };
  const until = async <T>(fn: () => Promise<T>, ok: (v: T) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const v = await fn();
      if (ok(v)) return v;
      await new Promise(r => setTimeout(r, 250));
    }
    const kinds = (await api.get('/api/catalog/entities')).body.map((e: any) => `${e.kind}:${e.metadata.name}`);
    throw new Error(`timed out; the catalog has ${JSON.stringify(kinds)}`);
  };
  const web = (extra: string) =>
    `apiVersion: score.dev/v1b1\nmetadata: { name: web }\ncontainers:\n  main: { image: web }\nresources:\n  db: { type: postgres }\n${extra}`;
  const deploy = (extra: string) => api.post('/api/orchestrator/apps/shop/envs/dev/deployments').send({ workloads: [web(extra)] });
  await until(
    () => api.get('/api/catalog/entities?filter=kind=component').then(r => r.body as any[]),
    list => list.length === 1,
  );
  return {
    api,
    deploy,
    resources,
    until,
    stop: async () => {
      await backend.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('OrchestratorEntityProvider', () => {
  it('puts deployed resources in the catalog with relations, and takes them out again', async () => {
    const { deploy, resources, until, stop } = await startCatalog([
      catalogModuleOrchestrator,
      // The real in-process events service carries the orchestrator's deployment events.
      eventsServiceFactory,
    ]);
    const first = await deploy('  dns: { type: dns }\n');
    expect(first.status).toBe(202);

    const entities = await until(resources, list => list.length === 3);
    const db = entities.find(e => e.spec.type === 'postgres');
    expect(db.metadata.name).toMatch(/^shop-dev-postgres-modules\.web\.externals\.db-[0-9a-f]{8}$/);
    expect(db.spec).toMatchObject({ owner: 'group:default/shop-team', system: 'system:default/shop', dependencyOf: ['component:default/web'] });
    expect(db.relations).toEqual(
      expect.arrayContaining([
        { type: 'dependencyOf', targetRef: 'component:default/web' },
        { type: 'ownedBy', targetRef: 'group:default/shop-team' },
        { type: 'partOf', targetRef: 'system:default/shop' },
      ]),
    );
    expect(JSON.stringify(entities)).not.toContain('catalog-test-secret');

    // The dns resource leaves the Score file: orphaned, so it leaves the catalog.
    const second = await deploy('');
    expect(second.status).toBe(202);
    const after = await until(resources, list => list.length === 2);
    expect(after.map(e => e.spec.type).sort()).toEqual(['k8s-namespace', 'postgres']);
    expect(after.find(e => e.spec.type === 'postgres').metadata.name).toBe(db.metadata.name);

    // A route co-provisions a dns with the route's resource id: both are in the catalog.
    const third = await deploy('  route: { type: route }\n');
    expect(third.status).toBe(202);
    const withRoute = await until(resources, list => list.length === 4);
    const route = withRoute.find(e => e.spec.type === 'route');
    const dns = withRoute.find(e => e.spec.type === 'dns');
    expect(dns.metadata.annotations['baton.dev/res-id']).toBe('modules.web.externals.route');
    expect(route.metadata.annotations['baton.dev/res-id']).toBe('modules.web.externals.route');
    expect(dns.metadata.name).not.toBe(route.metadata.name);
    expect(withRoute.find(e => e.spec.type === 'postgres').metadata.name).toBe(db.metadata.name);

    await stop();
  });

  it('replaces entities named the way earlier versions named them on a full refresh', async () => {
    let provider: OrchestratorEntityProvider | undefined;
    let connection: EntityProviderConnection | undefined;
    const { deploy, resources, until, stop } = await startCatalog([
      createBackendModule({
        pluginId: 'catalog',
        moduleId: 'orchestrator-provider-under-test',
        register({ registerInit }) {
          registerInit({
            deps: {
              auth: coreServices.auth,
              discovery: coreServices.discovery,
              logger: coreServices.logger,
              scheduler: coreServices.scheduler,
              catalog: catalogServiceRef,
              processing: catalogProcessingExtensionPoint,
            },
            async init({ auth, discovery, logger, scheduler, catalog, processing }) {
              const created = new OrchestratorEntityProvider({
                auth,
                discovery,
                logger,
                catalog,
                taskRunner: scheduler.createScheduledTaskRunner({ frequency: { trigger: 'manual' }, timeout: { seconds: 30 } }),
              });
              provider = created;
              // The test keeps the connection to put in what an earlier version emitted.
              processing.addEntityProvider({
                getProviderName: () => created.getProviderName(),
                connect: async c => {
                  connection = c;
                  await created.connect(c);
                },
              });
            },
          });
        },
      }),
    ]);
    expect((await deploy('')).status).toBe(202);
    await until(
      () => provider!.refresh(),
      count => count === 2,
    );
    const current = await until(resources, list => list.length === 2);
    const db = current.find(e => e.spec.type === 'postgres');

    // Before resource types were part of names, this resource was `shop-dev-modules.web.externals.db`.
    const old = { ...db, metadata: { ...db.metadata, name: 'shop-dev-modules.web.externals.db' } };
    delete old.metadata.uid;
    delete old.metadata.etag;
    delete old.relations;
    await connection!.applyMutation({ type: 'delta', added: [{ entity: old, locationKey: 'baton-orchestrator' }], removed: [] });
    await until(resources, list => list.some(e => e.metadata.name === old.metadata.name));

    expect(await provider!.refresh()).toBe(2);
    const after = await until(resources, list => !list.some(e => e.metadata.name === old.metadata.name));
    expect(after.map(e => e.metadata.name).sort()).toEqual(current.map(e => e.metadata.name).sort());
    await stop();
  });
});
