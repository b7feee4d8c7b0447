import { ConfigReader } from '@backstage/config';
import path from 'node:path';
import { readOrchestratorSettings } from './OrchestratorSettings';

const production = {
  dataDir: '/var/lib/baton',
  definitions: ['/etc/baton/environments.yaml:/etc/baton/definitions'],
  secrets: { key: 'a2V5' },
  gitops: { url: 'https://git.example.com/platform/gitops.git' },
};
const read = (orchestrator: object, nodeEnv: string) => readOrchestratorSettings(new ConfigReader({ orchestrator }), nodeEnv);

describe('readOrchestratorSettings', () => {
  it('resolves relative paths against the working directory outside production, with the lease defaults', () => {
    expect(read({ dataDir: '.data', definitions: ['a.yaml:defs', 'more'] }, 'development')).toEqual({
      dataDir: path.resolve('.data'),
      definitionPaths: [path.resolve('a.yaml'), path.resolve('defs'), path.resolve('more')],
      leaseRenewMs: 3000,
      takeoverMs: 10_000,
    });
  });

  it('takes production settings that name everything, split on ":"', () => {
    expect(read(production, 'production')).toMatchObject({
      dataDir: '/var/lib/baton',
      definitionPaths: ['/etc/baton/environments.yaml', '/etc/baton/definitions'],
    });
  });

  it.each([
    [{ dataDir: '../../.data' }, /^orchestrator\.dataDir: '\.\.\/\.\.\/\.data' is a relative path; .*BATON_DATA_DIR/],
    [{ dataDir: undefined }, /^orchestrator\.dataDir: is required in production \(BATON_DATA_DIR/],
    [{ definitions: ['/etc/baton/envs.yaml:examples'] }, /^orchestrator\.definitions: 'examples' is a relative path/],
    [{ definitions: [] }, /^orchestrator\.definitions: is required/],
    [{ secrets: undefined }, /^orchestrator\.secrets\.key: is required in production, the same on every replica \(BATON_SECRET_KEY/],
    [{ gitops: undefined }, /^orchestrator\.gitops\.url: is required in production.*BATON_GITOPS_URL/],
  ])('refuses production settings with %j, naming the key', (change, message) => {
    expect(() => read({ ...production, ...change }, 'production')).toThrow(message);
  });

  it('refuses a takeover time that a slow renewal could reach', () => {
    expect(() => read({ deployments: { leaseRenewSeconds: 5, takeoverSeconds: 6 } }, 'test')).toThrow(
      /^orchestrator\.deployments\.takeoverSeconds: must be at least twice/,
    );
    expect(() => read({ deployments: { leaseRenewSeconds: 0 } }, 'test')).toThrow(/leaseRenewSeconds: must be a positive number/);
  });
});
