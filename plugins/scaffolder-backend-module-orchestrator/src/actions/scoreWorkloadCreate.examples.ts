import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Write a Score file for a web service that needs a postgres',
    example: yaml.stringify({
      steps: [
        {
          id: 'score',
          action: 'baton:score:create',
          name: 'Create score.yaml',
          input: {
            name: 'web',
            image: 'ghcr.io/acme/web:1.0.0',
            ports: [{ name: 'http', port: 8080 }],
            variables: { LOG_LEVEL: 'info' },
            resources: [
              { name: 'db', type: 'postgres' },
              { name: 'assets', type: 's3', class: 'large' },
            ],
          },
        },
      ],
    }),
  },
];
