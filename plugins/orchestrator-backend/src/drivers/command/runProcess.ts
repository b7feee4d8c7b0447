import { spawn } from 'node:child_process';

/** The end of stderr kept while a command runs: enough for any message, bounded for one that prints without end. */
const STDERR_KEPT = 16 * 1024;

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  spawnError?: string;
  stopped?: 'timeout' | 'output' | 'aborted';
}

/**
 * Runs a process in a process group of its own, so that stopping it (time
 * limit, output limit, cancellation) and its end take every process it
 * started along: SIGTERM, then SIGKILL after a grace period.
 */
export function runProcess(options: {
  executable: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  stdin: string;
  timeoutMs: number;
  maxOutputBytes: number;
  killGraceMs: number;
  signal: AbortSignal;
}): Promise<RunResult> {
  return new Promise(resolve => {
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let stopped: RunResult['stopped'];
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let done = false;
    const timers: NodeJS.Timeout[] = [];

    const child = spawn(options.executable, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });

    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // the group is gone already
      }
    };
    const stop = (why: NonNullable<RunResult['stopped']>) => {
      if (stopped || exit) return;
      stopped = why;
      killGroup('SIGTERM');
      timers.push(setTimeout(() => killGroup('SIGKILL'), why === 'timeout' ? options.killGraceMs : 0));
    };
    const onAbort = () => stop('aborted');
    const finish = (spawnError?: string) => {
      if (done) return;
      done = true;
      timers.forEach(clearTimeout);
      options.signal.removeEventListener('abort', onAbort);
      resolve({
        code: exit?.code ?? null,
        signal: exit?.signal ?? null,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr,
        spawnError,
        stopped,
      });
    };

    child.on('error', error => {
      const code = (error as NodeJS.ErrnoException).code;
      const reasons: Record<string, string> = { ENOENT: 'not found', EACCES: 'permission denied (not executable?)' };
      finish((code && reasons[code]) || error.message);
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (stopped) return;
      stdoutBytes += chunk.length;
      if (stdoutBytes > options.maxOutputBytes) stop('output');
      else stdout.push(chunk);
    });
    // Decoded as a stream, so that a character split between chunks stays whole.
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.length > STDERR_KEPT) stderr = stderr.slice(stderr.length - STDERR_KEPT);
    });
    // A command that does not read its input closes the pipe; that is not an error.
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin);

    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // What it left running in its group goes too; something that left the
      // group and holds the pipes open is not waited for.
      killGroup('SIGKILL');
      timers.push(
        setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          finish();
        }, 1000),
      );
    });
    child.on('close', () => finish());

    timers.push(setTimeout(() => stop('timeout'), options.timeoutMs));
    if (options.signal.aborted) stop('aborted');
    else options.signal.addEventListener('abort', onAbort);
  });
}
