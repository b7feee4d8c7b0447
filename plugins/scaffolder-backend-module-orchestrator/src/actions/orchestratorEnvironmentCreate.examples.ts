import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Create a development environment for an app',
    example: yaml.stringify({
      steps: [
        {
          id: 'env',
          action: 'baton:environment:create',
          name: 'Create the dev environment',
          input: { app: 'shop', env: 'dev', type: 'development' },
        },
      ],
    }),
  },
  {
    description: 'Create a preview environment cloned from staging',
    example: yaml.stringify({
      steps: [
        {
          id: 'preview',
          action: 'baton:environment:create',
          name: 'Create a preview environment',
          input: { app: 'shop', env: 'pr-42', type: 'staging', cloneFrom: 'staging' },
        },
      ],
    }),
  },
];
