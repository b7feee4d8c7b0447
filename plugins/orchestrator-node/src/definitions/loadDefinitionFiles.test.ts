import { ValidationError } from '@baton/backstage-plugin-orchestrator-common';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDefinitionFiles } from './loadDefinitionFiles';

const def = (id: string, type: string, criteria: string) => `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: ${id} }
spec:
  type: ${type}
  driver: echo
  criteria: ${criteria}
`;

describe('loadDefinitionFiles', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-defs-'));
    fs.mkdirSync(path.join(dir, 'nested'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('walks directories in name order', async () => {
    fs.writeFileSync(path.join(dir, 'b.yaml'), def('b', 'redis', '[{}]'));
    fs.writeFileSync(path.join(dir, 'nested', 'a.yml'), def('a', 'postgres', '[{}]'));
    fs.writeFileSync(path.join(dir, 'README.md'), '# not a definition');
    const loaded = await loadDefinitionFiles([dir]);
    expect(loaded.map(d => d.definition.metadata.id)).toEqual(['b', 'a']);
  });

  it('reports problems of all files and conflicts together', async () => {
    fs.writeFileSync(path.join(dir, 'a.yaml'), def('a', 'postgres', '[{ envType: staging }]'));
    fs.writeFileSync(path.join(dir, 'b.yaml'), def('b', 'postgres', '[{ envType: staging }]'));
    fs.writeFileSync(path.join(dir, 'c.yaml'), 'apiVersion: baton.dev/v1\nkind: ResourceDefinition\nmetadata: {}\n');
    const error = (await loadDefinitionFiles([dir, path.join(dir, 'missing.yaml')]).catch(e => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.diagnostics.map(d => `${path.basename(d.file ?? '')}: ${d.message}`)).toEqual([
      "c.yaml: missing required field 'spec'",
      "c.yaml: missing required field 'id'",
      'missing.yaml: no such file or directory',
      expect.stringMatching(/^b.yaml: definitions a \(.*a.yaml:1\) and b have the same criterion/),
    ]);
  });
});
