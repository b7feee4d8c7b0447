import { parseResourceDefinitions } from '@baton/backstage-plugin-orchestrator-common';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../main';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-import-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const target = path.join(dir, name);
  fs.writeFileSync(target, text);
  return target;
}

async function run(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'baton', ...args], { stdout: t => (stdout += t), stderr: t => (stderr += t) });
  return { code, stdout, stderr };
}

/** The definitions of `baton definitions import` output, checked as the backend and the CLI load them. */
const definitions = (stdout: string) => parseResourceDefinitions(stdout, 'out.yaml').map(d => d.definition);

// Verbatim from score-spec/community-provisioners dns/score-k8s/10-dns-in-codespace.provisioners.yaml.
const dnsInCodespace = `- uri: cmd://bash#dns-in-codespace
  type: dns
  description: Get the forwarded port URL in current GitHub Codespace on port 80
  args:
  - -c
  - |
    set -eu -o pipefail
    CODESPACE_NAME=$(gh codespace view --json name | jq -r .name)
    HOST=\${CODESPACE_NAME}-80.app.github.dev
    URL=https://\${HOST}
    OUTPUTS='{"resource_outputs":{"host":"%s", "url":"%s"},"manifests":[]}'
    printf "$OUTPUTS" "$HOST" "$URL"
  expected_outputs:
    - host
    - url`;

describe('baton definitions import', () => {
  it('imports a community cmd:// provisioner as a command definition with its args unchanged', async () => {
    // The script as score-k8s runs it; the command driver passes args as written.
    const original = dnsInCodespace.split('  - |\n')[1].split('  expected_outputs')[0].replace(/^ {4}/gm, '');
    expect(original).toContain('HOST=${CODESPACE_NAME}-80.app.github.dev\n');
    const source = file('dns.provisioners.yaml', dnsInCodespace);
    const { code, stdout, stderr } = await run('definitions', 'import', source);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(`# Imported from score-k8s provisioner cmd://bash#dns-in-codespace (${source}:1).`);
    expect(stdout).toContain('# class is not set: score-k8s uses it for every class, Baton for class default only');
    const [definition] = definitions(stdout);
    expect(definition).toEqual({
      apiVersion: 'baton.dev/v1',
      kind: 'ResourceDefinition',
      metadata: {
        id: 'dns-in-codespace',
        name: 'score-k8s provisioner cmd://bash#dns-in-codespace',
        description: 'Get the forwarded port URL in current GitHub Codespace on port 80. Expected outputs: host, url.',
      },
      spec: {
        type: 'dns',
        driver: 'command',
        driverInputs: { values: { command: 'cmd://bash#dns-in-codespace', args: ['-c', original] } },
        criteria: [{}],
      },
    });
  });

  it("maps score-k8s's class and id (score-k8s's own loader example) to criteria", async () => {
    // From score-k8s internal/provisioners/loader/load_test.go ("nominal cmd"), plus ids of both kinds.
    const source = file(
      'ids.provisioners.yaml',
      `
- uri: cmd://my-binary
  type: thing
  class: default
  id: specific
  args: ["first", "second"]
- uri: cmd:///opt/provisioners/thing
  type: thing
  class: large
  id: web.db
- uri: cmd://./bin/thing#thing-any
  type: thing
`,
    );
    const { code, stdout, stderr } = await run('definitions', 'import', source);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(definitions(stdout).map(d => ({ id: d.metadata.id, values: d.spec.driverInputs?.values, criteria: d.spec.criteria }))).toEqual([
      { id: 'thing-default-specific', values: { command: 'cmd://my-binary', args: ['first', 'second'] }, criteria: [{ class: 'default', resId: 'shared.specific' }] },
      // A two-label id is a shared resource's id or a workload's own resource: both.
      {
        id: 'thing-large-web.db',
        values: { command: 'cmd:///opt/provisioners/thing' },
        criteria: [
          { class: 'large', resId: 'shared.web.db' },
          { class: 'large', resId: 'modules.web.externals.db' },
        ],
      },
      { id: 'thing-any', values: { command: 'cmd://./bin/thing#thing-any' }, criteria: [{}] },
    ]);
  });

  it('keeps score-k8s’s first-match order: what an earlier entry serves is left out', async () => {
    const source = file(
      'order.provisioners.yaml',
      `
- uri: cmd://sh#specific
  type: postgres
  id: main-db
- uri: cmd://sh#general
  type: postgres
- uri: cmd://sh#unreachable
  type: postgres
  class: default
  id: other-db
- uri: cmd://sh#duplicate
  type: postgres
- uri: template://default-provisioners/redis
  type: redis
- uri: cmd://sh#after-template
  type: redis
- uri: cmd://sh#partly
  type: mysql
  id: shared-id
- uri: cmd://sh#two-kinds
  type: mysql
  id: web.db
- uri: cmd://sh#bad-type
  type: my_type
`,
    );
    const { code, stdout, stderr } = await run('definitions', 'import', source);
    expect(code).toBe(0);
    expect(definitions(stdout).map(d => [d.metadata.id, d.spec.criteria])).toEqual([
      ['specific', [{ resId: 'shared.main-db' }]],
      ['general', [{}]],
      ['partly', [{ resId: 'shared.shared-id' }]],
      ['two-kinds', [{ resId: 'shared.web.db' }, { resId: 'modules.web.externals.db' }]],
    ]);
    expect(stderr.split('\n').filter(Boolean)).toEqual([
      `${source}:7:3: 2: not imported: cmd://sh#unreachable: score-k8s never uses it: entry 1 (cmd://sh#general, line 5) comes first and matches every resource it would`,
      `${source}:11:3: 3: not imported: cmd://sh#duplicate: score-k8s never uses it: entry 1 (cmd://sh#general, line 5) comes first and matches every resource it would`,
      `${source}:13:3: 4: not imported: template://default-provisioners/redis: template provisioners are Go templates (text/template with sprig), which Baton's template driver (nunjucks) does not run; write it as a template definition`,
      `${source}:15:3: 5: not imported: cmd://sh#after-template: score-k8s never uses it: entry 4 (template://default-provisioners/redis, line 13) comes first and matches every resource it would`,
      `${source}:23:3: 8: not imported: cmd://sh#bad-type: type 'my_type' is not a Baton resource type (letters, digits and -, alphanumeric at both ends)`,
    ]);
  });

  it('writes one file per definition with --out, with unique ids', async () => {
    const source = file(
      'out.provisioners.yaml',
      `
- uri: cmd://sh#same
  type: postgres
- uri: cmd://sh#same
  type: mysql
- uri: cmd://sh
  type: redis
  class: Large
`,
    );
    const out = path.join(dir, 'definitions');
    const { code, stdout, stderr } = await run('definitions', 'import', source, '--out', out);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe([`wrote ${out}/same.yaml`, `wrote ${out}/same-2.yaml`, `wrote ${out}/redis-large.yaml`, ''].join('\n'));
    expect(definitions(fs.readFileSync(path.join(out, 'same-2.yaml'), 'utf8'))[0].spec.type).toBe('mysql');
    expect(definitions(fs.readFileSync(path.join(out, 'redis-large.yaml'), 'utf8'))[0].spec.criteria).toEqual([{ class: 'Large' }]);
  });

  it('refuses invalid provisioners files with exit code 1, every problem as file:line:col: message', async () => {
    const source = file(
      'invalid.provisioners.yaml',
      `
- uri: cmd://x:80
  type: thing
- uri: cmd://something@foo
  type: thing
- uri: cmd://something?foo=x
  type: thing
- uri: cmd://something/foo
  type: thing
- uri: cmd://ok
  type: thing
  state: {}
- uri: cmd://ok
  args: [1, {a: b}]
- uri: blah://example
  type: thing
- type: thing
- just a string
`,
    );
    const { code, stdout, stderr } = await run('definitions', 'import', source);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.split('\n').filter(Boolean)).toEqual([
      `${source}:2:8: 0.uri: cmd provisioner uri cannot contain a port`,
      `${source}:4:8: 1.uri: cmd provisioner uri cannot contain user info`,
      `${source}:6:8: 2.uri: cmd provisioner uri cannot contain query params`,
      `${source}:8:8: 3.uri: direct command reference cannot contain additional path parts`,
      `${source}:12:10: 4.state: unknown field 'state' of a cmd provisioner (known: uri, type, class, id, args, params, outputs, description, supported_params, expected_outputs)`,
      `${source}:13:3: 5.type: type not set`,
      `${source}:14:9: 5.args: must be a list of strings`,
      `${source}:15:8: 6.uri: unsupported provisioner type 'blah'`,
      `${source}:17:3: 7.uri: missing uri scheme '' (cmd://… or template://…)`,
      `${source}:18:3: 8: expected a provisioner: a map with uri and type`,
    ]);

    const notAList = await run('definitions', 'import', file('map.yaml', 'uri: cmd://sh\ntype: x\n'));
    expect(notAList).toMatchObject({ code: 1, stderr: `${dir}/map.yaml:1:1: expected a score-k8s provisioners file: a list of provisioners (uri, type, …)\n` });
    const syntax = await run('definitions', 'import', file('broken.yaml', '- uri: [\n'));
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(new RegExp(`^${dir}/broken.yaml:\\d+:\\d+: invalid YAML`));
    expect(await run('definitions', 'import', path.join(dir, 'missing.yaml'))).toMatchObject({ code: 1, stderr: `${dir}/missing.yaml: file not found\n` });
  });

  it('answers usage errors with exit code 2 and lists the command in the help', async () => {
    expect((await run('definitions', 'import')).code).toBe(2);
    expect((await run('definitions')).code).toBe(2);
    expect((await run('definitions', 'frobnicate', 'x')).code).toBe(2);
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('definitions');
    const importHelp = await run('definitions', 'import', '--help');
    expect(importHelp.code).toBe(0);
    expect(importHelp.stdout).toContain('Import a score-k8s provisioners file');
  });
});
