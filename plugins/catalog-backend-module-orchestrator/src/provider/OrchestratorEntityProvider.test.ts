import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import orchestratorPlugin from '@baton/backstage-plugin-orchestrator-backend';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import { catalogModuleOrchestrator } from '../module';

jest.setTimeout(120_000);

// The real catalog backend and the orchestrator backend in one test backend.
describe('OrchestratorEntityProvider', () => {
  it('puts deployed resources in the catalog with relations, and takes them out again', async () => {
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
        catalogModuleOrchestrator,
        // The real in-process events service carries the orchestrator's deployment events.
        eventsServiceFactory,
        orchestratorPlugin,
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

    await until(
      () => api.get('/api/catalog/entities?filter=kind=component').then(r => r.body as any[]),
      list => list.length === 1,
    );
    const first = await api.post('/api/orchestrator/apps/shop/envs/dev/deployments').send({ workloads: [web('  dns: { type: dns }\n')] });
    expect(first.status).toBe(202);

    const entities = await until(resources, list => list.length === 3);
    const db = entities.find(e => e.spec.type === 'postgres');
    expect(db.metadata.name).toBe('shop-dev-modules.web.externals.db');
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
    const second = await api.post('/api/orchestrator/apps/shop/envs/dev/deployments').send({ workloads: [web('')] });
    expect(second.status).toBe(202);
    const after = await until(resources, list => list.length === 2);
    expect(after.map(e => e.spec.type).sort()).toEqual(['k8s-namespace', 'postgres']);

    await backend.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
