import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Publish the workspace as a local Git repository and register it in the catalog',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish',
          action: 'baton:publish:local',
          name: 'Publish',
          input: { name: '${{ parameters.name }}' },
        },
      ],
    }),
  },
];
