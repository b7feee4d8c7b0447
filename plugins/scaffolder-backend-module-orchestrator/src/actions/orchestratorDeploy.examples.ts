import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: "Deploy the workspace's score.yaml to the development environment",
    example: yaml.stringify({
      steps: [
        {
          id: 'deploy',
          action: 'baton:deploy',
          name: 'Deploy to dev',
          input: { app: '${{ parameters.name }}', env: 'dev' },
        },
      ],
    }),
  },
  {
    description: 'Deploy several Score files and show the database host',
    example: yaml.stringify({
      steps: [
        {
          id: 'deploy',
          action: 'baton:deploy',
          name: 'Deploy',
          input: { app: 'shop', env: 'dev', scoreFiles: ['web/score.yaml', 'worker/score.yaml'], comment: 'first deployment' },
        },
      ],
      output: { text: [{ title: 'Database', content: "${{ steps.deploy.output.resources['postgres.default#modules.web.externals.db'].host }}" }] },
    }),
  },
];
