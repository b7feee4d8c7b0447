import { createBuiltInDrivers, planApplication, renderApplication } from '@baton/backstage-plugin-orchestrator-node';
import { parseScoreResult } from '@baton/backstage-plugin-orchestrator-common';

/** A value that must reach the cluster only through a Secret. */
export const DELIVERY_SECRET = 'delivery-test-secret-value';

/** A rendered app of one workload reading a secret output: what a deployment hands to a delivery. */
export async function renderedTestApp() {
  const { workload } = parseScoreResult(
    `apiVersion: score.dev/v1b1
metadata: { name: web }
service: { ports: { http: { port: 8080 } } }
containers:
  main:
    image: web:1
    variables:
      DB_PASSWORD: \${resources.db.password}
resources:
  db: { type: postgres }
`,
    'score.yaml',
  );
  const planned = await planApplication({
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
          spec: { type: 'postgres', driver: 'echo', driverInputs: { secrets: { password: DELIVERY_SECRET } }, criteria: [{}] },
        },
      },
    ],
    drivers: createBuiltInDrivers(),
  });
  return renderApplication(planned);
}
