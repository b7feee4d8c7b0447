import { parseResourceDefinitions } from '@baton/backstage-plugin-orchestrator-common';
import { createBuiltInDrivers } from '../drivers';
import { driverInputDiagnostics } from './driverInputDiagnostics';

const text = `# two definitions in one file
apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: fine }
spec:
  type: dns
  driver: echo
  driverInputs:
    values: { host: example.com }
---
apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: broken }
spec:
  type: config
  driver: template
  driverInputs:
    values:
      templates:
        outputs: |
          url: {{ driver.values.url }}
        output: typo
      url: https://example.com
`;

describe('driverInputDiagnostics', () => {
  const drivers = createBuiltInDrivers();
  const [fine, broken] = parseResourceDefinitions(text, 'platform/defs.yaml');

  it('locates each problem at its field in the file', () => {
    expect(driverInputDiagnostics(fine, drivers, text)).toEqual([]);
    expect(driverInputDiagnostics(broken, drivers, text)).toEqual([
      {
        file: 'platform/defs.yaml',
        line: 22,
        column: 9,
        path: 'spec.driverInputs.values.templates.output',
        message: 'is not an input of driver template (its inputs here: init, outputs, secrets, manifests, cookie)',
      },
    ]);
  });

  it("puts a missing field at its parent, and falls back to the definition's first line without the text", () => {
    const missing = parseResourceDefinitions(text.replace(/ {6}templates:[^]*?typo\n/, ''), 'defs.yaml')[1];
    expect(driverInputDiagnostics(missing, drivers, text.replace(/ {6}templates:[^]*?typo\n/, ''))).toEqual([
      expect.objectContaining({ line: 18, column: 5, path: 'spec.driverInputs.values.templates', message: 'is required' }),
    ]);
    expect(driverInputDiagnostics(broken, drivers)).toEqual([
      expect.objectContaining({ file: 'platform/defs.yaml', line: 11, path: 'spec.driverInputs.values.templates.output' }),
    ]);
  });

  it('leaves a definition whose driver is not installed to its own check', () => {
    const other = { ...broken, definition: { ...broken.definition, spec: { ...broken.definition.spec, driver: 'nope' } } };
    expect(driverInputDiagnostics(other, drivers, text)).toEqual([]);
  });
});
