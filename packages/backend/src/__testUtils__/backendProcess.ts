import { ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../../../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** The real backend (packages/backend/src/index.ts) as a child process, from app-config.yaml plus overrides. */
export class BackendProcess {
  child?: ChildProcess;
  output = '';

  constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly options: {
      /** `backend.database` (default: SQLite files in the data folder). */
      database?: Record<string, unknown>;
      /** More configuration under `orchestrator`. */
      orchestrator?: Record<string, unknown>;
      /** Node.js options for the backend process (`--trace-gc`, `--cpu-prof`, …). */
      execArgv?: string[];
      /** More configuration at the top level (`backend` merges into the test's own). */
      config?: Record<string, unknown> & { backend?: Record<string, unknown> };
    } = {},
  ) {}

  get baseUrl() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const override = path.join(this.dataDir, 'app-config.test.yaml');
    const { backend, ...config } = this.options.config ?? {};
    writeFileSync(
      override,
      JSON.stringify({
        backend: {
          baseUrl: this.baseUrl,
          listen: { port: this.port },
          database: this.options.database ?? {
            client: 'better-sqlite3',
            connection: { directory: path.join(this.dataDir, 'sqlite') },
          },
          ...backend,
        },
        orchestrator: {
          dataDir: path.join(this.dataDir, 'orchestrator'),
          definitions: [path.join(repoRoot, 'examples/environments.yaml'), path.join(repoRoot, 'examples/definitions')],
          ...this.options.orchestrator,
        },
        ...config,
      }),
    );
    this.output = '';
    const child = spawn(
      process.execPath,
      [
        ...(this.options.execArgv ?? []),
        '--require',
        require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
        'packages/backend/src/index.ts',
        '--config',
        'app-config.yaml',
        '--config',
        override,
      ],
      { cwd: repoRoot, env: { ...process.env, NODE_ENV: 'development' } },
    );
    this.child = child;
    // A caller that crashes must not leave a backend running behind it.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    child.stdout!.on('data', d => (this.output += d));
    child.stderr!.on('data', d => (this.output += d));
    const deadline = Date.now() + 100_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new Error(`backend exited with ${child.exitCode}:\n${this.output}`);
      }
      if (this.output.includes('Backend startup failed')) {
        await this.stop();
        throw new Error(`backend did not start:\n${this.output}`);
      }
      try {
        const res = await fetch(`${this.baseUrl}/.backstage/health/v1/readiness`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise(r => setTimeout(r, 300));
    }
    throw new Error(`backend did not become ready:\n${this.output}`);
  }

  /** Stops the process: SIGTERM for a clean shutdown, SIGKILL for a crash. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise(r => child.once('exit', r));
    child.kill(signal);
    await exited;
  }

  async guestToken(): Promise<string> {
    const res = await fetch(`${this.baseUrl}/api/auth/guest/refresh`);
    return (await res.json()).backstageIdentity.token;
  }
}
