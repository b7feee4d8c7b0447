import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

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
/** Time between SIGINT (Terraform stops and saves its state) and SIGKILL. */
const KILL_GRACE_MS = 10_000;

/**
 * Runs one Terraform command in `cwd`, its JSON output streamed line by line
 * to `onLine` with every secret value replaced by `***`. At the time limit or
 * when `signal` aborts, Terraform gets SIGINT (so it stops cleanly, saves
 * its state and releases its lock), then SIGKILL after a grace period.
 *
 * @internal
 */
export async function runTerraform(options: {
  binary: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
  redact: (text: string) => string;
  onLine: (level: 'info' | 'warn' | 'error', message: string) => void;
  onStart?: (pid: number) => void;
}): Promise<TerraformRunResult> {
  const { redact } = options;
  const child = spawn(options.binary, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
  const readLines = (stream: NodeJS.ReadableStream, isStderr: boolean) =>
    new Promise<void>(resolve => {
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      lines.on('line', raw => {
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
      });
      lines.on('close', resolve);
    });
  const reading = Promise.all([readLines(child.stdout!, false), readLines(child.stderr!, true)]);
  const exitCode = await exited;
  await reading;
  clearTimeout(timer);
  options.signal.removeEventListener('abort', onAbort);
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
