/**
 * Synthetic inputs for the engine benchmark: an app of N workloads with three
 * resources each (one of them shared by all workloads), and a set of resource
 * definitions of which a third use the template driver.
 */
import { dump } from 'js-yaml';

export interface SyntheticApp {
  scoreFiles: { file: string; text: string }[];
  definitionsText: string;
  definitionCount: number;
}

const TYPES = 20;

export function generateSyntheticApp(options: {
  workloads: number;
  definitions: number;
}): SyntheticApp {
  const scoreFiles = [];
  for (let w = 0; w < options.workloads; w++) {
    const name = `svc-${w}`;
    const workload = {
      apiVersion: 'score.dev/v1b1',
      metadata: { name },
      service: { ports: { http: { port: 8080 } } },
      containers: {
        main: {
          image: `registry.example.com/${name}:1.0.${w % 10}`,
          variables: {
            DB_HOST: '${resources.db.host}',
            DB_PASSWORD: '${resources.db.password}',
            CACHE_URL: 'redis://${resources.cache.host}:${resources.cache.port}',
            QUEUE: '${resources.queue.name}',
            SERVICE: '${metadata.name}',
          },
          resources: { limits: { memory: '256Mi', cpu: '500m' } },
          readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
        },
      },
      resources: {
        db: { type: 'postgres', id: 'main-db' },
        cache: { type: `type-${w % TYPES}` },
        queue: { type: `type-${(w * 7 + 3) % TYPES}`, class: w % 3 === 0 ? 'large' : undefined },
      },
    };
    const resources = workload.resources as Record<string, Record<string, unknown>>;
    for (const r of Object.values(resources)) {
      if (r.class === undefined) delete r.class;
    }
    scoreFiles.push({ file: `${name}/score.yaml`, text: dump(workload) });
  }

  const docs: unknown[] = [
    {
      apiVersion: 'baton.dev/v1',
      kind: 'ResourceDefinition',
      metadata: { id: 'postgres-bench' },
      spec: {
        type: 'postgres',
        driver: 'echo',
        driverInputs: {
          values: { host: 'db.${context.env.id}.internal', port: 5432 },
          secrets: { password: 'bench-secret' },
        },
        criteria: [{}],
      },
    },
  ];
  // Definitions spread over types, classes and criteria so that matching has
  // many candidates per type; each (type, class, criterion) is unique.
  for (let d = 0; docs.length < options.definitions; d++) {
    const type = `type-${d % TYPES}`;
    const variant = Math.floor(d / TYPES);
    const klass = variant % 2 === 0 ? 'default' : 'large';
    const criterion: Record<string, string> = { class: klass };
    if (variant < 2) {
      // catch-all per class
    } else if (variant % 4 === 0) criterion.envType = `type-${variant}`;
    else if (variant % 4 === 1) criterion.envId = `env-${variant}`;
    else if (variant % 4 === 2) criterion.appId = `app-${variant}`;
    else criterion.resId = `modules.svc-${variant}.externals.cache`;
    const template = d % 3 === 0;
    docs.push({
      apiVersion: 'baton.dev/v1',
      kind: 'ResourceDefinition',
      metadata: { id: `def-${d}` },
      spec: {
        type,
        driver: template ? 'template' : 'echo',
        driverInputs: template
          ? {
              values: {
                templates: {
                  outputs: 'host: {{ resource.type }}-{{ id }}.svc\nport: 6379\nname: {{ context.app.id }}-{{ resource.id }}\n',
                },
              },
            }
          : { values: { host: `${type}.shared.svc`, port: 6379, name: `${type}-${variant}` } },
        criteria: [criterion],
      },
    });
  }
  return {
    scoreFiles,
    definitionsText: docs.map(doc => dump(doc)).join('---\n'),
    definitionCount: docs.length,
  };
}
