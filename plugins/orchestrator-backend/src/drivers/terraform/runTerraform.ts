import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';

/** One line of Terraform's machine-readable output (`-json`). */
export interface TerraformMessage {
  '@level'?: string;
  '@message'?: string;
  type?: string;
  diagnostic?: {
    severity?: string;
    summary?: string;
    detail?: string;
    range?: { filename?: string; start?: { line?: number; column?: number } };
  };
  changes?: { add?: number; change?: number; remove?: number; operation?: string };
  change?: { resource?: { addr?: string }; action?: string };
}

export interface TerraformRunResult {
  exitCode: number;
  messages: TerraformMessage[];
  /** Error diagnostics as `file:line:col: summary: detail` (or the last lines Terraform printed). */
  errors: string[];
}

/** How much of Terraform's output is kept in memory for a run's result. */
const MAX_KEPT_MESSAGES = 2000;
/** How often Terraform's output files are read while it runs. */
const FOLLOW_INTERVAL_MS = 100;
/** Time between SIGINT (Terraform stops and saves its state) and SIGKILL. */
const KILL_GRACE_MS = 10_000;

/** Reads what has been appended to a file since the last read, line by line. */
class FileFollower {
  private offset = 0;
  private rest = '';
  // A character split between two reads is joined, not garbled.
  private readonly decoder = new StringDecoder('utf8');
  private readonly buffer = Buffer.alloc(64 * 1024);

  constructor(private readonly file: string, private readonly onLine: (line: string) => void) {}

  read() {
    const fd = fs.openSync(this.file, 'r');
    try {
      for (;;) {
        const n = fs.readSync(fd, this.buffer, 0, this.buffer.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        const lines = (this.rest + this.decoder.write(this.buffer.subarray(0, n))).split('\n');
        this.rest = lines.pop() ?? '';
        for (const line of lines) this.onLine(line);
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  finish() {
    this.read();
    if (this.rest) this.onLine(this.rest);
    this.rest = '';
  }
}

/**
 * Runs one Terraform command in `cwd`, its JSON output streamed line by line
 * to `onLine` with every secret value replaced by `***`. Terraform writes to
 * files in `outputDir` that are followed, not to pipes: if the backend dies
 * during an apply, Terraform is not killed by a broken pipe halfway but
 * finishes, and the state it cannot hand back is left in `errored.tfstate`
 * for the next run. At the time limit or when `signal` aborts, Terraform
 * gets SIGINT (so it stops cleanly, saves its state and releases its lock),
 * then SIGKILL after a grace period.
 *
 * @internal
 */
export async function runTerraform(options: {
  binary: string;
  args: string[];
  cwd: string;
  /** Where Terraform's output files go (the run's folder). */
  outputDir: string;
  env: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
  redact: (text: string) => string;
  onLine: (level: 'info' | 'warn' | 'error', message: string) => void;
  onStart?: (pid: number) => void;
}): Promise<TerraformRunResult> {
  const { redact } = options;
  const name = `terraform-${options.args[0]}-${Date.now()}`;
  const files = { stdout: path.join(options.outputDir, `${name}.out`), stderr: path.join(options.outputDir, `${name}.err`) };
  const fds = { stdout: fs.openSync(files.stdout, 'w', 0o600), stderr: fs.openSync(files.stderr, 'w', 0o600) };
  const child = (() => {
    try {
      return spawn(options.binary, options.args, { cwd: options.cwd, env: options.env, stdio: ['ignore', fds.stdout, fds.stderr] });
    } finally {
      // The child has its own copies; a crash of the backend leaves Terraform writing on.
      fs.closeSync(fds.stdout);
      fs.closeSync(fds.stderr);
    }
  })();
  const exited = new Promise<number>(resolve => child.once('close', code => resolve(code ?? 1)));
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  try {
    await spawned;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new Error(e.code === 'ENOENT' ? `${options.binary} was not found on PATH` : `could not start ${options.binary}: ${e.message}`);
  }
  if (child.pid) options.onStart?.(child.pid);

  let stopped: string | undefined;
  const stop = (why: string) => {
    if (stopped || child.exitCode !== null) return;
    stopped = why;
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS).unref();
  };
  const timer = setTimeout(() => stop(`it ran longer than ${Math.round(options.timeoutMs / 1000)} s`), options.timeoutMs);
  const onAbort = () => stop('the deployment was cancelled');
  options.signal.addEventListener('abort', onAbort);
  if (options.signal.aborted) onAbort();

  const messages: TerraformMessage[] = [];
  const errors: string[] = [];
  const plainLines: string[] = [];
  const handleLine = (raw: string, isStderr: boolean) => {
    const line = redact(raw);
    let message: TerraformMessage | undefined;
    if (line.startsWith('{')) {
      try {
        message = JSON.parse(line);
      } catch {
        message = undefined;
      }
    }
    if (!message) {
      if (!line.trim()) return;
      plainLines.push(line);
      if (plainLines.length > 40) plainLines.shift();
      options.onLine(isStderr ? 'error' : 'info', line);
      return;
    }
    if (messages.length < MAX_KEPT_MESSAGES) messages.push(message);
    const diagnostic = message.diagnostic;
    if (message.type === 'diagnostic' && diagnostic) {
      const text = describeDiagnostic(diagnostic);
      if (diagnostic.severity === 'error') errors.push(text);
      options.onLine(diagnostic.severity === 'error' ? 'error' : 'warn', text);
    } else if (message['@message']) {
      options.onLine(message['@level'] === 'error' ? 'error' : 'info', message['@message']);
    }
  };
  const followers = [new FileFollower(files.stdout, l => handleLine(l, false)), new FileFollower(files.stderr, l => handleLine(l, true))];
  const polling = setInterval(() => followers.forEach(f => f.read()), FOLLOW_INTERVAL_MS);
  const exitCode = await exited;
  clearInterval(polling);
  for (const follower of followers) follower.finish();
  clearTimeout(timer);
  options.signal.removeEventListener('abort', onAbort);
  await Promise.all(Object.values(files).map(f => fs.promises.rm(f, { force: true })));
  if (stopped) throw new Error(`terraform ${options.args[0]} was stopped: ${stopped}`);
  if (exitCode !== 0 && !errors.length && plainLines.length) {
    // Without -json (or before Terraform could start it), errors come as text.
    errors.push(plainLines.filter(l => !/^[│╷╵]?\s*$/.test(l)).slice(-12).join('\n'));
  }
  // Diagnostics that name a file and line say more than Terraform's summary of them.
  const located = errors.filter(e => /^[^\s:]+:\d+:\d+: /.test(e));
  return { exitCode, messages, errors: located.length ? located : errors };
}

function describeDiagnostic(d: NonNullable<TerraformMessage['diagnostic']>): string {
  const at = d.range?.filename
    ? `${d.range.filename}:${d.range.start?.line ?? 0}:${d.range.start?.column ?? 0}: `
    : '';
  return `${at}${d.summary ?? 'error'}${d.detail ? `: ${d.detail}` : ''}`;
}
