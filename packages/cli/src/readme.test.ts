import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from './main';

jest.setTimeout(120_000);

const root = path.resolve(__dirname, '../../..');

/** The `./scripts/baton` command lines of README.md's `sh` blocks, continuation lines joined. */
function readmeCommands(): string[] {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const lines: string[] = [];
  for (const [, block] of readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    for (const line of block.replace(/\\\n/g, ' ').split('\n')) {
      if (line.includes('./scripts/baton')) lines.push(line.trim());
    }
  }
  return lines;
}

/** The subcommand a line runs: the first word after `./scripts/baton`. */
const subcommand = (line: string) => line.split('./scripts/baton')[1].trim().split(/\s+/)[0];

/**
 * What each line must print. A run happens in a scratch folder that links
 * `scripts` and `examples`, so `--out manifests/` writes there.
 */
const expectations: Record<string, (stdout: string, cwd: string) => void> = {
  '--help': stdout => {
    for (const command of ['validate', 'plan', 'render', 'explain', 'deploy', 'definitions']) expect(stdout).toContain(command);
  },
  validate: stdout => {
    for (const workload of ['api', 'web', 'worker']) expect(stdout).toContain(`workload ${workload} is valid`);
  },
  plan: stdout => {
    expect(stdout).toContain('Plan for app shop in dev (development)');
    expect(stdout).toContain('postgres.default#shared.main-db');
  },
  render: (stdout, cwd) => {
    expect(stdout).toContain('wrote manifests/web.yaml');
    expect(fs.readFileSync(path.join(cwd, 'manifests/web.yaml'), 'utf8')).toContain('kind: Deployment');
    expect(fs.readFileSync(path.join(cwd, 'manifests/worker.yaml'), 'utf8')).toContain('kind: Deployment');
  },
  explain: stdout => {
    expect(stdout).toContain('chosen: postgres-dev');
    expect(stdout).toContain('planned: definition postgres-dev, needed by workload.default#modules.web, workload.default#modules.worker');
  },
};

describe('README.md', () => {
  const commands = readmeCommands();
  let cwd: string;

  beforeAll(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-readme-'));
    for (const dir of ['scripts', 'examples']) fs.symlinkSync(path.join(root, dir), path.join(cwd, dir));
  });
  afterAll(() => fs.rmSync(cwd, { recursive: true, force: true }));

  it('shows every CLI command', () => {
    // deploy: against ./scripts/start, and against a production backend.
    expect(commands.map(subcommand)).toEqual(['--help', 'validate', 'plan', 'render', 'explain', 'deploy', 'deploy']);
  });

  it.each(commands.filter(line => subcommand(line) !== 'deploy'))('runs verbatim: %s', line => {
    const result = spawnSync('bash', ['-c', line], { cwd, encoding: 'utf8' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expectations[subcommand(line)](result.stdout, cwd);
  });

  // Deploying needs a running backend: each line's arguments, as the shell
  // splits them (BATON_BASE_URL set as production sets it), must parse into a
  // deployment of the shop's three workloads.
  it.each(commands.filter(line => subcommand(line) === 'deploy'))('parses the deploy line %s', async line => {
    const env = { ...process.env, BATON_BASE_URL: 'https://baton.example.com' };
    const args = execFileSync('bash', ['-c', `set -- ${line.split('./scripts/baton')[1]}; printf '%s\\0' "$@"`], { cwd, env, encoding: 'utf8' })
      .split('\0')
      .filter(Boolean);
    let parsed: unknown;
    const code = await main(['node', 'baton', ...args], { stdout: () => {}, stderr: () => {} }, {
      deploy: async opts => {
        parsed = opts;
        return 0;
      },
    });
    expect(code).toBe(0);
    expect(parsed).toEqual({
      url: line.includes('BATON_BASE_URL') ? 'https://baton.example.com' : 'http://localhost:7007',
      app: 'shop',
      env: 'dev',
      score: ['examples/score/shop/web.yaml', 'examples/score/shop/worker.yaml', 'examples/score/shop/api.yaml'],
      wait: true,
    });
    for (const file of (parsed as { score: string[] }).score) expect(fs.existsSync(path.join(cwd, file))).toBe(true);
  });
});
