import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BackendProcess, freePort } from './__testUtils__/backendProcess';

// Hostile input against the real backend process, over REST, with a guest
// token: every answer is a 4xx with Backstage's error body (no stack trace,
// nothing of the server's files or secrets), never a 5xx, a hang or a crash.
// One backend serves every case; add cases to the describe of the part they
// attack.
jest.setTimeout(120_000);

const API = '/api/orchestrator';

let backend: BackendProcess;
let dataDir: string;
let token: string;

async function call(
  method: string,
  route: string,
  options: { body?: unknown; raw?: string; contentType?: string; auth?: string | null } = {},
) {
  const headers: Record<string, string> = {};
  const auth = options.auth === undefined ? `Bearer ${token}` : options.auth;
  if (auth) headers.authorization = auth;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const started = Date.now();
  const res = await fetch(`${backend.baseUrl}${API}${route}`, { method, headers, body });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, ms: Date.now() - started };
}

/** Asserts Backstage's error body: status, error name, a message matching `message`, no stack. */
function expectError(res: { status: number; json: any; text: string }, status: number, message?: RegExp) {
  expect({ status: res.status, text: res.text.slice(0, 500) }).toEqual({ status, text: expect.any(String) });
  expect(res.json?.error?.name).toEqual(expect.any(String));
  expect(res.json?.response?.statusCode ?? status).toBe(status);
  if (message) expect(res.json.error.message).toMatch(message);
  expect(res.text).not.toMatch(/"stack"|node_modules|\/src\/[\w/]+\.ts/);
}

/** Polls a deployment until it has finished. */
async function waitForDeployment(env: string, id: string) {
  for (;;) {
    const res = await call('GET', `/apps/shop/envs/${env}/deployments/${id}`);
    if (!['queued', 'running'].includes(res.json.status)) return res.json;
    await new Promise(r => setTimeout(r, 200));
  }
}

/** Score YAML whose `params` nest `levels` anchors, each alias listing the previous nine times. */
function aliasBomb(levels: number): string {
  const lines = ['    params:', `      a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]`];
  for (let i = 1; i < levels; i++) {
    lines.push(`      a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
  }
  return [
    'apiVersion: score.dev/v1b1',
    'metadata: { name: bomb }',
    'containers: { main: { image: nginx } }',
    'resources:',
    '  db:',
    '    type: postgres',
    ...lines,
  ].join('\n');
}

const scoreWith = (extra: string) =>
  `apiVersion: score.dev/v1b1\nmetadata: { name: web }\ncontainers:\n  main:\n    image: nginx\n${extra}`;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'baton-hostile-'));
  backend = new BackendProcess(dataDir, await freePort(), {
    orchestrator: { showStackTraces: false },
  });
  await backend.start();
  token = await backend.guestToken();
});

afterAll(async () => {
  await backend?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('YAML alias bombs', () => {
  it('refuses a Score alias bomb in a dry run at once, naming the document, while /health stays live', async () => {
    const bomb = aliasBomb(9);
    expect(bomb.length).toBeLessThan(700);
    const pending = call('POST', '/apps/shop/envs/dev/deployments', { body: { dryRun: true, workloads: [bomb] } });
    const health = await call('GET', '/health');
    const res = await pending;
    expectError(res, 400, /workloads\[0\].*over budget/);
    expect(res.ms).toBeLessThan(5_000);
    expect(health.status).toBe(200);
    expect(health.ms).toBeLessThan(2_000);
  });

  it('refuses it as a real deployment too, and at seven levels', async () => {
    const before = (await call('GET', '/apps/shop/envs/dev/deployments')).json.items.length;
    for (const levels of [9, 7]) {
      const res = await call('POST', '/apps/shop/envs/dev/deployments', { body: { workloads: [aliasBomb(levels)] } });
      expectError(res, 400, /workloads\[0\].*over budget/);
    }
    expect((await call('GET', '/apps/shop/envs/dev/deployments')).json.items).toHaveLength(before);
  });

  it('refuses an alias bomb in a YAML definition body', async () => {
    const definition = [
      'apiVersion: baton.dev/v1',
      'kind: ResourceDefinition',
      'metadata: { id: hostile-bomb }',
      'spec:',
      '  type: hostile-bomb',
      '  driver: echo',
      '  driverInputs:',
      '    values:',
      ...aliasBomb(9).split('\n').slice(7).map(l => `  ${l}`),
    ].join('\n');
    const res = await call('PUT', '/resource-definitions/hostile-bomb', { raw: definition, contentType: 'application/yaml' });
    expectError(res, 400, /request body.*over budget/);
  });
});

describe('request bodies', () => {
  it('refuses params nested 100,000 arrays deep with a 400', async () => {
    const deep = `{"dryRun":true,"workloads":[{"apiVersion":"score.dev/v1b1","metadata":{"name":"deep"},"containers":{"main":{"image":"nginx"}},"resources":{"db":{"type":"postgres","params":{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}}}}]}`;
    const res = await call('POST', '/apps/shop/envs/dev/deployments', { raw: deep });
    expectError(res, 400, /nested deeper than/);
  });

  it('answers 413 with an error body to a body over the limit', async () => {
    const res = await call('POST', '/apps/shop/envs/dev/deployments', { raw: `{"workloads":["${'x'.repeat(11 * 1024 * 1024)}"]}` });
    expectError(res, 413, /larger than/);
  });

  it('answers malformed JSON with a 400 that does not quote the body', async () => {
    const res = await call('POST', '/apps/shop/envs/dev/deployments', { raw: '{"workloads": ["hunter2-secret" ' });
    expectError(res, 400, /not valid JSON/);
    expect(res.text).not.toContain('hunter2');
  });

  it('answers a cursor it never gave out with a 400', async () => {
    expectError(await call('GET', '/resources?cursor=not-a-cursor'), 400, /cursor/);
    expectError(await call('GET', `/resources?cursor=${Buffer.from('{"a":1}').toString('base64url')}`), 400, /cursor/);
    expectError(await call('GET', '/apps/shop/envs/dev/deployments?cursor=abc'), 400, /cursor/);
  });
});

describe('routes and ids', () => {
  it('answers an empty id with a 404 error body', async () => {
    expectError(await call('GET', '/apps//envs'), 404);
    expectError(await call('PUT', '/resource-definitions/', { body: {} }), 404);
  });

  it('refuses ids outside their pattern', async () => {
    expectError(await call('PUT', '/apps/Not_An_Id', { body: {} }), 400);
    expectError(await call('PUT', '/env-types/a..b', { body: {} }), 400);
    expectError(await call('GET', `/apps/${'a'.repeat(64)}`), 400);
  });

  it('refuses anonymous and forged tokens on every route, and users on the secrets route', async () => {
    const spec = (await call('GET', '/openapi.json')).json as { paths: Record<string, Record<string, unknown>> };
    const [header, payload] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    const hmac = `${b64({ alg: 'HS256', typ: 'JWT' })}.${payload}`;
    const forged = [
      null,
      'Bearer not-a-token',
      `Bearer ${unsigned}`,
      `Bearer ${hmac}.${createHmac('sha256', 'secret').update(hmac).digest('base64url')}`,
      // The guest's own signature over other claims.
      `Bearer ${header}.${b64({ ...claims, sub: 'user:default/admin' })}.${token.split('.')[2]}`,
    ];
    const routes = Object.entries(spec.paths)
      .map(([route, methods]) => [route.replace(/^\/api\/orchestrator/, ''), methods] as const)
      .filter(([route]) => route !== '/webhooks/git') // notifications only trigger a poll
      .flatMap(([route, methods]) =>
        Object.keys(methods)
          .filter(m => ['get', 'put', 'post', 'delete'].includes(m))
          .map(m => [m.toUpperCase(), route.replace(/\{[^}]+\}/g, 'x')] as const),
      );
    expect(routes.length).toBeGreaterThan(30);
    for (const [method, route] of routes) {
      for (const auth of forged) {
        const res = await call(method, route, { auth, body: method === 'GET' || method === 'DELETE' ? undefined : {} });
        expect(`${method} ${route} ${auth?.slice(0, 20)}: ${res.status}`).toBe(`${method} ${route} ${auth?.slice(0, 20)}: 401`);
      }
    }
    expectError(await call('GET', '/secrets/shop/dev/web'), 403);
  });
});

describe('definitions', () => {
  it('refuses a definition whose driver is not installed, naming it and the installed ones', async () => {
    const res = await call('PUT', '/resource-definitions/hostile-driver', {
      body: {
        apiVersion: 'baton.dev/v1',
        kind: 'ResourceDefinition',
        metadata: { id: 'hostile-driver' },
        spec: { type: 'hostile-driver', driver: 'no-such-driver' },
      },
    });
    expectError(res, 400, /no-such-driver.*installed: .*template/);
    expectError(await call('GET', '/resource-definitions/hostile-driver'), 404);
  });

  it('keeps /health live while 50 definition changes run their impact checks', async () => {
    // Active resources for the impact checks to go through.
    const resources = Array.from({ length: 200 }, (_, i) => `  r${i}: { type: amqp }`).join('\n');
    const deployed = await call('POST', '/apps/shop/envs/dev/deployments', {
      body: { workloads: [`apiVersion: score.dev/v1b1\nmetadata: { name: load }\ncontainers: { main: { image: nginx } }\nresources:\n${resources}`] },
    });
    expect(deployed.status).toBe(202);
    expect((await waitForDeployment('dev', deployed.json.id)).status).toBe('succeeded');
    const put = (i: number) =>
      call('PUT', `/resource-definitions/hostile-load-${i}`, {
        body: {
          apiVersion: 'baton.dev/v1',
          kind: 'ResourceDefinition',
          metadata: { id: `hostile-load-${i}` },
          spec: { type: `hostile-load-${i}`, driver: 'echo', criteria: [{}] },
        },
      });
    const puts = Promise.all(Array.from({ length: 50 }, (_, i) => put(i)));
    let done = false;
    puts.finally(() => (done = true));
    const latencies: number[] = [];
    while (!done) {
      latencies.push((await call('GET', '/health')).ms);
      await new Promise(r => setTimeout(r, 20));
    }
    expect((await puts).map(r => r.status)).toEqual(Array(50).fill(200));
    const worst = Math.max(...latencies);
    // eslint-disable-next-line no-console
    console.log(`/health during 50 definition PUTs: ${latencies.length} probes, worst ${worst} ms; PUTs ${(await puts).map(r => r.ms).join(',')}`);
    expect(worst).toBeLessThan(1_000);
  });
});

describe('Score files', () => {
  it('says which files.source a dry run cannot read, without reading it', async () => {
    const score = scoreWith("    files:\n      /etc/copy: { source: /etc/passwd }\n      /etc/other: { source: '../../app-config.yaml' }\n");
    const res = await call('POST', '/apps/shop/envs/dev/deployments', { body: { dryRun: true, workloads: [score] } });
    expectError(res, 400, /workloads\[0\].*files\.\/etc\/copy\.source.*cannot read \/etc\/passwd/s);
    expect(res.json.error.message).toContain('../../app-config.yaml');
    expect(res.text).not.toMatch(/root:x:0|backend:/);
  });
});

// Cases for the template driver (limits, template-output YAML, secrets) go here.
describe('template driver', () => {
  const definition = (id: string, outputs: string) => ({
    apiVersion: 'baton.dev/v1',
    kind: 'ResourceDefinition',
    metadata: { id },
    spec: { type: id, driver: 'template', driverInputs: { values: { templates: { outputs } } }, criteria: [{}] },
  });

  /** A dry run of a workload using a resource of `type`; the plan node of that resource. */
  async function dryRunNode(type: string) {
    const score = scoreWith(`resources:\n  tpl: { type: ${type} }\n`);
    const res = await call('POST', '/apps/shop/envs/dev/deployments', { body: { dryRun: true, workloads: [score] } });
    expect(res.status).toBe(200);
    return { res, ms: res.ms, node: res.json.plan.nodes.find((n: { type: string }) => n.type === type) };
  }

  it.each([
    ['constructor', "x: {{ ''.constructor.constructor('return process')().env.HOME }}"],
    ['__proto__', '{{ context.__proto__.polluted }}x: {{ context.constructor }}'],
    ['include', "{% include '/etc/passwd' %}"],
    ['import', "{% import '/etc/passwd' as p %}x: 1"],
    ['extends', "{% extends '../../app-config.yaml' %}"],
  ])('keeps %s out of the server', async (name, outputs) => {
    const id = `hostile-tpl-${name.replace(/_/g, '')}`;
    expect((await call('PUT', `/resource-definitions/${id}`, { body: definition(id, outputs) })).status).toBe(200);
    const { res, node } = await dryRunNode(id);
    expect(res.status).toBeLessThan(500);
    expect(node).toMatchObject({ status: 'failed', message: expect.stringMatching(/is reserved|Unsupported template-loading tag/) });
    expect(res.text).not.toMatch(/root:x:0|\/root|backend:|polluted/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  /** /health latencies, probed one after another until `pending` settles. */
  async function healthWhile(pending: Promise<unknown>) {
    let done = false;
    pending.finally(() => (done = true)).catch(() => {});
    const latencies: number[] = [];
    while (!done) {
      const health = await call('GET', '/health');
      expect(health.status).toBe(200);
      latencies.push(health.ms);
      await new Promise(r => setTimeout(r, 20));
    }
    return latencies;
  }

  it('stops a template that fills its memory while the backend stays up', async () => {
    // 32 MB built by doubling, then flattened copies kept until the heap is full: about half a
    // second on a slow machine. Doubling to 256 MB took over the 1 s time limit on one.
    const outputs =
      '{% set s = "x" %}{% for i in range(25) %}{% set s = s ~ s %}{% endfor %}{% set l = [] %}{% for i in range(8) %}{% set x = s ~ i %}{% if x < s %}{% endif %}{% set l = [l, x] %}{% endfor %}a: 1';
    expect((await call('PUT', '/resource-definitions/hostile-tpl-memory', { body: definition('hostile-tpl-memory', outputs) })).status).toBe(200);
    const pending = dryRunNode('hostile-tpl-memory');
    const latencies = await healthWhile(pending);
    const { node } = await pending;
    // The heap fills in about half a second; on a machine busy with other work the 1 s time
    // limit can come first, and either limit stops it. That the memory limit itself holds is
    // checked in the template driver's own tests, with a time limit far away.
    expect(node).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/^template driver: template 'outputs' exceeded the (memory limit of 128 MB|time limit of 1000 ms)/),
    });
    expect(latencies.length).toBeGreaterThan(0);
    expect(backend.child?.exitCode).toBeNull();
    expect((await call('GET', '/health')).status).toBe(200);
  });

  it('stops a template at its time limit inside a section while other requests are served', async () => {
    const outputs =
      '{% set s = "x" %}{% for i in range(24) %}{% set s = s ~ s %}{% endfor %}{% for i in range(2000) %}{% if (s ~ i) < s %}{% endif %}{% endfor %}a: 1';
    expect((await call('PUT', '/resource-definitions/hostile-tpl-time', { body: definition('hostile-tpl-time', outputs) })).status).toBe(200);
    const pending = dryRunNode('hostile-tpl-time');
    const latencies = await healthWhile(pending);
    const { node, ms } = await pending;
    // eslint-disable-next-line no-console
    console.log(`/health during a template over its time limit: ${latencies.length} probes, worst ${Math.max(...latencies)} ms; dry run ${ms} ms`);
    expect(node).toMatchObject({ status: 'failed', message: expect.stringContaining('exceeded the time limit of 1000 ms') });
    // The budget plus the worker's start on a loaded machine, not the 5-38 s of a starved check.
    expect(ms).toBeLessThan(4_000);
    expect(latencies.length).toBeGreaterThan(2);
    expect(Math.max(...latencies)).toBeLessThan(1_000);
  });

  it('fails the node of a template whose output is a YAML alias bomb, and other requests are answered', async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [prev, name] of ['ab', 'bc', 'cd', 'de', 'ef', 'fg', 'gh', 'hi']) {
      bomb.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    expect((await call('PUT', '/resource-definitions/hostile-tpl-bomb', { body: definition('hostile-tpl-bomb', bomb.join('\n')) })).status).toBe(200);
    const score = scoreWith('resources:\n  tpl: { type: hostile-tpl-bomb }\n').replace('name: web', 'name: bombed');
    const queued = await call('POST', '/apps/shop/envs/qa/deployments', { body: { workloads: [score] } });
    expect(queued.status).toBe(202);
    const deployment = waitForDeployment('qa', queued.json.id);
    const others: number[] = [];
    let done = false;
    deployment.finally(() => (done = true)).catch(() => {});
    while (!done) {
      others.push((await call('GET', '/apps/shop/envs/dev/deployments')).status);
      await new Promise(r => setTimeout(r, 50));
    }
    const result = await deployment;
    expect(result.status).toBe('failed');
    const node = result.nodes.find((n: { uid: string }) => n.uid.startsWith('hostile-tpl-bomb.'));
    expect(node).toMatchObject({
      status: 'failed',
      message: expect.stringContaining('rendered YAML whose aliases expand beyond the limit of 100'),
    });
    expect(others.every(status => status === 200)).toBe(true);
  });

  it('keeps a secret secret when a template derives an output from it', async () => {
    const known = 'hostile-known-secret-7f3a9c';
    const admin = await call('PUT', '/resource-definitions/hostile-pg-admin', {
      body: {
        apiVersion: 'baton.dev/v1',
        kind: 'ResourceDefinition',
        metadata: { id: 'hostile-pg-admin' },
        spec: { type: 'hostile-pg-admin', driver: 'echo', driverInputs: { secrets: { password: known } }, criteria: [{}] },
      },
    });
    expect(admin.status).toBe(200);
    const put = await call('PUT', '/resource-definitions/hostile-pg', {
      body: {
        apiVersion: 'baton.dev/v1',
        kind: 'ResourceDefinition',
        metadata: { id: 'hostile-pg' },
        spec: {
          type: 'hostile-pg',
          driver: 'template',
          driverInputs: {
            // `shout` holds the secret only transformed: found by tracking what derives from a secret.
            values: { templates: { outputs: 'conn: "pg://u:{{ driver.secrets.pw }}@h"\nshout: "{{ driver.secrets.pw | upper }}"' } },
            secrets: { pw: '${resources.hostile-pg-admin.outputs.password}' },
          },
          criteria: [{}],
        },
      },
    });
    expect(put.status).toBe(200);
    const score = [
      'apiVersion: score.dev/v1b1',
      'metadata: { name: tainted }',
      'containers:',
      '  main:',
      '    image: nginx',
      '    variables: { DATABASE_URL: "${resources.db.conn}" }',
      'resources:',
      '  db: { type: hostile-pg }',
    ].join('\n');
    const seen: string[] = [];
    const plan = await call('POST', '/apps/shop/envs/staging/deployments', { body: { dryRun: true, workloads: [score] } });
    expect(plan.status).toBe(200);
    seen.push(plan.text);
    const queued = await call('POST', '/apps/shop/envs/staging/deployments', { body: { workloads: [score] } });
    expect(queued.status).toBe(202);
    const deployment = await waitForDeployment('staging', queued.json.id);
    expect(deployment.status).toBe('succeeded');
    const resources = await call('GET', '/apps/shop/envs/staging/resources');
    const db = resources.json.find((r: { type: string }) => r.type === 'hostile-pg');
    expect(db.secretOutputs.sort()).toEqual(['conn', 'shout']);
    expect(db.outputs).toEqual({});
    seen.push(resources.text, (await call('GET', '/resources')).text);
    const manifests = await call('GET', `/apps/shop/envs/staging/deployments/${queued.json.id}/manifests`);
    const workload = Object.entries(manifests.json.files as Record<string, string>).find(([, text]) => /kind: Deployment/.test(text))![1];
    expect(workload).toMatch(/name: DATABASE_URL\s+valueFrom:\s+secretKeyRef:/);
    seen.push(manifests.text, (await call('GET', `/apps/shop/envs/staging/deployments/${queued.json.id}/log`)).text);
    seen.push(JSON.stringify(deployment));
    // Every object ever written to the GitOps repository (a bare one), and the backend's own log.
    const gitDir = path.join(dataDir, 'orchestrator', 'gitops');
    const objects = execFileSync('git', ['--git-dir', gitDir, 'cat-file', '--batch-all-objects', '--batch'], { maxBuffer: 1 << 28 });
    expect(objects.toString().length).toBeGreaterThan(0);
    expect(objects.toString()).toMatch(/DATABASE_URL/);
    seen.push(objects.toString(), backend.output);
    for (const text of seen) {
      expect(text).not.toContain(known);
      expect(text).not.toContain(known.toUpperCase());
      expect(text).not.toContain(Buffer.from(known).toString('base64'));
    }
  });
});
