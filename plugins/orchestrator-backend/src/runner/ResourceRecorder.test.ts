import { TestDatabases } from '@backstage/backend-test-utils';
import { createBuiltInDrivers, planApplication } from '@baton/backstage-plugin-orchestrator-node';
import { parseScoreResult } from '@baton/backstage-plugin-orchestrator-common';
import { createHash, randomBytes } from 'node:crypto';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';
import { DatabaseDeploymentStore } from '../database/DatabaseDeploymentStore';
import { ProvisionedWith } from '../database/DeploymentStore';
import { SecretBox } from '../secrets/SecretBox';
import { ResourceRecorder } from './ResourceRecorder';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: testDatabaseIds });
const SECRET = 'recorder-secret';

async function plan(resources: string) {
  const { workload } = parseScoreResult(
    `apiVersion: score.dev/v1b1\nmetadata: { name: web }\ncontainers: { main: { image: web } }\nresources:\n${resources}`,
    'score.yaml',
  );
  return planApplication({
    app: 'shop',
    env: 'dev',
    envType: 'development',
    workloads: [{ file: 'score.yaml', workload: workload! }],
    definitions: [
      {
        definition: {
          apiVersion: 'baton.dev/v1',
          kind: 'ResourceDefinition',
          metadata: { id: 'pg' },
          spec: { type: 'postgres', driver: 'echo', driverInputs: { values: { host: 'pg' }, secrets: { password: SECRET } }, criteria: [{}] },
        },
      },
      {
        definition: {
          apiVersion: 'baton.dev/v1',
          kind: 'ResourceDefinition',
          metadata: { id: 's3' },
          spec: { type: 's3', driver: 'echo', driverInputs: { values: { bucket: 'b' } }, criteria: [{}] },
        },
      },
    ],
    drivers: createBuiltInDrivers(),
  });
}

describe.each(databases.eachSupportedId())('ResourceRecorder (%s)', id => {
  it('keeps every provisioned node with encrypted secrets and what made it, and orphans what left the graph', async () => {
    const knex = await databases.init(id);
    const store = await DatabaseDeploymentStore.create({ database: { getClient: async () => knex } });
    const secrets = new SecretBox(randomBytes(32));
    const events: string[] = [];
    const recorder = (deploymentId: string) =>
      new ResourceRecorder(
        { resourceStore: store, secrets, revisionOf: () => 3, emit: async (type, rs) => void events.push(...rs.map(r => `${type} ${r.uid}`)) },
        { id: deploymentId, app: 'shop', env: 'dev' },
      );

    const first = await plan('  db: { type: postgres, params: { size: small } }\n  bucket: { type: s3 }\n');
    const firstRecorder = recorder('d-1');
    await firstRecorder.recordResults(first.graph, first.results, []);
    await firstRecorder.published();
    const active = await store.listResources('shop', 'dev');
    const db = active.find(r => r.type === 'postgres')!;
    expect(db).toMatchObject({
      uid: 'postgres.default#modules.web.externals.db',
      definitionId: 'pg',
      definitionRevision: 3,
      status: 'active',
      outputs: { host: 'pg' },
      deploymentId: 'd-1',
      workloads: ['web'],
    });
    expect(db.secretOutputs).not.toContain(SECRET);
    expect(db.secretOutputNames).toEqual(['password']);
    expect(secrets.decrypt(db.secretOutputs!)).toEqual({ password: SECRET });
    const provisionedWith = secrets.decrypt(db.provisionedWith!) as ProvisionedWith;
    expect(provisionedWith.params).toEqual({ size: 'small' });
    // The definition is kept once, encrypted, under a keyed digest: not in the row, not guessable from its digest.
    expect(provisionedWith.definition).toBeUndefined();
    const digest = provisionedWith.definitionDigest!;
    const pgDefinition = first.graph.nodes.find(n => n.type === 'postgres')!.match.loaded.definition;
    expect(digest).not.toBe(createHash('sha256').update(JSON.stringify(pgDefinition)).digest('hex'));
    // One per definition in the graph (the workload's and the namespace's built-in ones too).
    const definitionCount = new Set(first.graph.nodes.map(n => n.definition)).size;
    expect(definitionCount).toBeGreaterThan(2);
    const snapshots = await knex('definition_snapshots').select('digest', 'definition');
    expect(snapshots).toHaveLength(definitionCount);
    expect(JSON.stringify(snapshots)).not.toContain(SECRET);
    const kept = (await store.getDefinitionSnapshots([digest, 'unknown'])) as Map<string, string>;
    expect([...kept.keys()]).toEqual([digest]);
    expect(secrets.decrypt(kept.get(digest)!)).toEqual(pgDefinition);
    expect(events).toContain('resource.provisioned postgres.default#modules.web.externals.db');

    // The bucket leaves the Score file.
    const second = await plan('  db: { type: postgres, params: { size: small } }\n');
    const secondRecorder = recorder('d-2');
    await secondRecorder.recordResults(second.graph, second.results, active);
    const orphans = await secondRecorder.recordOrphans(second.graph, active);
    await secondRecorder.published();
    expect(orphans.map(r => r.uid)).toEqual(['s3.default#modules.web.externals.bucket']);
    const after = new Map((await store.listResources('shop', 'dev')).map(r => [r.type, r]));
    expect(after.get('s3')?.status).toBe('orphaned');
    expect(after.get('postgres')).toMatchObject({ status: 'active', deploymentId: 'd-2' });
    expect(events).toContain('resource.orphaned s3.default#modules.web.externals.bucket');
    // The same definitions again: no new snapshots.
    expect(Number((await knex('definition_snapshots').count({ n: '*' }))[0].n)).toBe(definitionCount);
  });
});
