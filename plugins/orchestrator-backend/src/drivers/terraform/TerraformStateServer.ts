import http from 'node:http';
import { AddressInfo } from 'node:net';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { TerraformStateLock, TerraformStateStore } from '../../database/TerraformStateStore';

/** Encrypts states at rest: the backend's SecretBox. */
export interface StateCipher {
  encrypt(value: unknown): string;
  decrypt<T = unknown>(ciphertext: string): T;
}

/** One Terraform run's access to one resource's state. */
export interface StateRun {
  /** What Terraform is told: `TF_HTTP_*` variables (address, methods, credential). */
  env: Record<string, string>;
  /** Ends the run: its credential stops working and a lock it still holds is released. */
  close(): Promise<void>;
}

/** The largest state accepted (bytes); a state this big is a module problem, not a Baton one. */
const MAX_STATE_BYTES = 64 * 1024 * 1024;

/**
 * Terraform's `http` state backend, served by the backend itself on the
 * loopback interface: each run gets its own address and a credential valid
 * until the run ends, and reaches only its resource's state. States are kept
 * in the database, encrypted, so nothing of them stays on disk and every
 * replica sees the same state and lock. A run's lock is renewed while the
 * run lasts; one left by a killed backend lapses and is broken by the next
 * run (Terraform waits for it with `-lock-timeout`).
 *
 * @internal
 */
export class TerraformStateServer {
  private server?: Promise<{ server: http.Server; port: number }>;
  private readonly runs = new Map<string, { guresid: string; token: Buffer; renewal?: NodeJS.Timeout; lockId?: string; onBroken(lock: TerraformStateLock): void }>();

  constructor(
    private readonly deps: {
      store: TerraformStateStore;
      cipher: StateCipher;
      /** How long a lock lasts without renewal; renewed every third of it. */
      lockLeaseMs: number;
    },
  ) {}

  /** Opens access to one resource's state for one run. */
  async open(guresid: string, options: { onBrokenLock(lock: TerraformStateLock): void }): Promise<StateRun> {
    const { port } = await this.listen();
    const runId = randomBytes(12).toString('hex');
    const token = randomBytes(24).toString('base64url');
    this.runs.set(runId, { guresid, token: Buffer.from(token), onBroken: options.onBrokenLock });
    const address = `http://127.0.0.1:${port}/state/${runId}`;
    return {
      env: {
        TF_HTTP_ADDRESS: address,
        TF_HTTP_LOCK_ADDRESS: address,
        TF_HTTP_UNLOCK_ADDRESS: address,
        TF_HTTP_LOCK_METHOD: 'LOCK',
        TF_HTTP_UNLOCK_METHOD: 'UNLOCK',
        TF_HTTP_USERNAME: 'baton',
        TF_HTTP_PASSWORD: token,
      },
      close: async () => {
        const run = this.runs.get(runId);
        this.runs.delete(runId);
        if (run?.renewal) clearInterval(run.renewal);
        // The process has exited: a lock it did not release (killed at the time limit) is released here.
        if (run?.lockId) await this.deps.store.unlock(guresid, run.lockId);
      },
    };
  }

  async close(): Promise<void> {
    const started = this.server;
    this.server = undefined;
    for (const run of this.runs.values()) if (run.renewal) clearInterval(run.renewal);
    if (started) {
      const { server } = await started;
      await new Promise(resolve => server.close(resolve));
    }
  }

  private listen() {
    this.server ??= new Promise((resolve, reject) => {
      const server = http.createServer((req, res) => {
        this.handle(req, res).catch(error => {
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`state backend: ${(error as Error).message}`);
        });
      });
      server.on('error', reject);
      // Not a reason to keep the process alive: it serves runs the backend itself started.
      server.unref();
      server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port }));
    });
    return this.server;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const runId = url.pathname.match(/^\/state\/([0-9a-f]{24})$/)?.[1];
    const run = runId ? this.runs.get(runId) : undefined;
    if (!run || !authorized(req.headers.authorization, run.token)) {
      req.resume();
      res.writeHead(401, { 'content-type': 'text/plain' }).end('unknown run or credential');
      return;
    }
    const body = await readBody(req);
    const { store, cipher } = this.deps;
    switch (req.method) {
      case 'GET': {
        const ciphertext = await store.getState(run.guresid);
        if (!ciphertext) {
          res.writeHead(204).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(cipher.decrypt<string>(ciphertext));
        return;
      }
      case 'POST': {
        const lockId = url.searchParams.get('ID');
        if (lockId && run.lockId !== lockId) {
          res.writeHead(409, { 'content-type': 'text/plain' }).end('the state is not locked by this run');
          return;
        }
        try {
          JSON.parse(body);
        } catch {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('the state is not JSON');
          return;
        }
        await store.putState(run.guresid, cipher.encrypt(body));
        res.writeHead(200).end();
        return;
      }
      case 'LOCK': {
        const id = lockInfoId(body);
        if (!id) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('lock information without an ID');
          return;
        }
        const result = await store.lock(run.guresid, { id, info: body, expiresAt: this.expiry() });
        if (!result.acquired) {
          // Terraform shows the holder's lock information from the body.
          res.writeHead(423, { 'content-type': 'application/json' }).end(result.holder.info || '{}');
          return;
        }
        if (result.broken) run.onBroken(result.broken);
        run.lockId = id;
        if (run.renewal) clearInterval(run.renewal);
        run.renewal = setInterval(() => {
          store.renew(run.guresid, id, this.expiry()).catch(() => undefined);
        }, Math.max(100, this.deps.lockLeaseMs / 3));
        run.renewal.unref();
        res.writeHead(200).end();
        return;
      }
      case 'UNLOCK': {
        const id = lockInfoId(body) ?? run.lockId;
        await store.unlock(run.guresid, id);
        if (run.lockId === id) {
          run.lockId = undefined;
          if (run.renewal) clearInterval(run.renewal);
          run.renewal = undefined;
        }
        res.writeHead(200).end();
        return;
      }
      default:
        res.writeHead(405, { 'content-type': 'text/plain' }).end(`${req.method} is not a state backend method`);
    }
  }

  private expiry() {
    return new Date(Date.now() + this.deps.lockLeaseMs);
  }
}

function authorized(header: string | undefined, token: Buffer): boolean {
  const match = header?.match(/^Basic (.+)$/);
  if (!match) return false;
  const decoded = Buffer.from(match[1], 'base64').toString();
  const given = Buffer.from(decoded.slice(decoded.indexOf(':') + 1));
  return given.length === token.length && timingSafeEqual(given, token);
}

function lockInfoId(body: string): string | undefined {
  try {
    const id = JSON.parse(body)?.ID;
    return typeof id === 'string' && id ? id : undefined;
  } catch {
    return undefined;
  }
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_STATE_BYTES) throw new Error(`the state is larger than ${MAX_STATE_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
