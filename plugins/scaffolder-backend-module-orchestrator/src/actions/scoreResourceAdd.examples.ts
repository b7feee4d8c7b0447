import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Add an S3 bucket to the workload in score.yaml',
    example: yaml.stringify({
      steps: [
        {
          id: 'bucket',
          action: 'baton:score:resource:add',
          name: 'Add a bucket',
          input: { name: 'assets', type: 's3' },
        },
      ],
    }),
  },
  {
    description: 'Add a large postgres shared by several workloads',
    example: yaml.stringify({
      steps: [
        {
          id: 'db',
          action: 'baton:score:resource:add',
          name: 'Add the shared database',
          input: {
            path: 'services/api/score.yaml',
            name: 'db',
            type: 'postgres',
            class: 'large',
            id: 'main-db',
          },
        },
      ],
    }),
  },
];
