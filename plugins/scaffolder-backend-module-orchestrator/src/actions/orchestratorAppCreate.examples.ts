import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Create the orchestrator app for a new service, linked to its catalog entity',
    example: yaml.stringify({
      steps: [
        {
          id: 'app',
          action: 'baton:app:create',
          name: 'Create the app',
          input: {
            app: '${{ parameters.name }}',
            title: '${{ parameters.name }}',
            entityRef: 'component:default/${{ parameters.name }}',
          },
        },
      ],
    }),
  },
  {
    description: "Create the app and deploy its repository's pushes: main to dev, release to staging",
    example: yaml.stringify({
      steps: [
        {
          id: 'app',
          action: 'baton:app:create',
          name: 'Create the app',
          input: {
            app: '${{ parameters.name }}',
            repository: '${{ steps.publish.output.remoteUrl }}',
            branches: { main: 'dev', release: 'staging' },
          },
        },
      ],
    }),
  },
];
