import { parseScore } from '@baton/backstage-plugin-orchestrator-common';
import fs from 'node:fs';
import path from 'node:path';
import { loadDefinitionFiles } from './definitions';
import { planApplication, renderApplication } from './plan';

// The examples a new user starts from must load and plan.
const examples = path.resolve(__dirname, '../../../examples');

describe('examples', () => {
  const shop = ['web', 'worker', 'api'].map(name => {
    const file = path.join(examples, 'score/shop', `${name}.yaml`);
    return { file, workload: parseScore(fs.readFileSync(file, 'utf8'), file) };
  });

  it('load every definition without conflicts', async () => {
    const definitions = await loadDefinitionFiles([path.join(examples, 'definitions')]);
    expect(definitions.length).toBeGreaterThan(20);
  });

  it.each(['development', 'staging', 'production'])('plan the shop app in %s', async envType => {
    const definitions = await loadDefinitionFiles([path.join(examples, 'definitions')]);
    const { plan } = await planApplication({ app: 'shop', env: envType.slice(0, 4), envType, workloads: shop, definitions });
    expect(plan.nodes.filter(n => n.status === 'failed')).toEqual([]);
    const db = plan.nodes.find(n => n.uid === 'postgres.default#shared.main-db')!;
    expect(db.definition).toBe(
      { development: 'postgres-dev', staging: 'postgres-staging', production: 'postgres-shop-main-db' }[envType],
    );
  });

  it('render the shop app in development with every object valid', async () => {
    const definitions = await loadDefinitionFiles([path.join(examples, 'definitions')]);
    const planned = await planApplication({ app: 'shop', env: 'dev', envType: 'development', workloads: shop, definitions });
    const rendered = renderApplication(planned);
    expect(Object.keys(rendered.workloads).sort()).toEqual(['api', 'web', 'worker']);
    expect(rendered.resources.map(o => o.kind).sort()).toEqual(['HTTPRoute', 'Service', 'StatefulSet']);
  });
});
