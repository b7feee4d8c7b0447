import { ValidationError } from '@baton/backstage-plugin-orchestrator-common';
import fs from 'node:fs';
import path from 'node:path';
import { readPlatformEnvironments } from './PlatformConfig';
import { temporaryFolder } from '../__testUtils__/temporaryFolder';

describe('readPlatformEnvironments', () => {
  it('reads environment types and environments next to definitions', () => {
    const result = readPlatformEnvironments([path.resolve(__dirname, '../../../../examples/environments.yaml')]);
    expect(result.envTypes.map(t => t.id)).toEqual(['development', 'staging', 'production', 'preview']);
    expect(result.environments).toContainEqual({ app: 'shop', id: 'prod', type: 'production' });
  });

  it('names the file and document of an invalid entry', () => {
    const dir = temporaryFolder('baton-platform-');
    fs.writeFileSync(path.join(dir, 'envs.yaml'), 'kind: Environment\nmetadata: { id: dev }\nspec: { type: development }\n');
    expect(() => readPlatformEnvironments([dir])).toThrow(ValidationError);
    expect(() => readPlatformEnvironments([dir])).toThrow(/envs.yaml: document 1: an Environment needs metadata.app/);
  });

  it('reads an environment type that requires approval, and names a bad approval setting', () => {
    const dir = temporaryFolder('baton-platform-');
    fs.writeFileSync(
      path.join(dir, 'types.yaml'),
      'kind: EnvironmentType\nmetadata: { id: production }\nspec: { approval: { required: true, approvers: ["group:default/platform"] } }\n',
    );
    expect(readPlatformEnvironments([dir]).envTypes).toEqual([
      { id: 'production', approval: { required: true, approvers: ['group:default/platform'] } },
    ]);
    fs.writeFileSync(path.join(dir, 'types.yaml'), 'kind: EnvironmentType\nmetadata: { id: production }\nspec: { approval: { required: yes-please } }\n');
    expect(() => readPlatformEnvironments([dir])).toThrow(/types.yaml: document 1: spec.approval.required must be true or false/);
  });
});
