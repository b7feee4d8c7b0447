import { promises as fs } from 'node:fs';
import { CliIo } from '../io';

interface DeployOptions {
  url: string;
  app: string;
  env: string;
  score: string[];
  comment?: string;
  token?: string;
  wait: boolean;
}

interface DeploymentStatus {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  nodes?: { uid: string; status: string; message?: string }[];
}

const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * `baton deploy`: sends the Score files to a running orchestrator, then polls
 * the deployment, printing new log lines, until it ends.
 */
export async function runDeploy(opts: DeployOptions, io: CliIo): Promise<number> {
  const token = opts.token ?? process.env.BATON_TOKEN;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const base = `${opts.url.replace(/\/+$/, '')}/api/orchestrator/apps/${encodeURIComponent(
    opts.app,
  )}/envs/${encodeURIComponent(opts.env)}`;

  const workloads = await Promise.all(opts.score.map(f => fs.readFile(f, 'utf8')));
  const created = await request<DeploymentStatus>(`${base}/deployments`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ workloads, comment: opts.comment }),
  });
  if (!created.ok) return reportError(created, io);
  const { id } = created.body;
  io.stdout(`deployment ${id} ${created.body.status}\n`);
  if (!opts.wait) return 0;

  let printed = 0;
  for (;;) {
    const log = await request<{ lines: { message: string }[] } | { message: string }[]>(
      `${base}/deployments/${id}/log`,
      { headers },
    );
    if (log.ok) {
      const lines = Array.isArray(log.body) ? log.body : log.body.lines;
      for (const line of lines.slice(printed)) io.stdout(`  ${line.message}\n`);
      printed = lines.length;
    }
    const current = await request<DeploymentStatus>(`${base}/deployments/${id}`, { headers });
    if (!current.ok) return reportError(current, io);
    if (FINAL.has(current.body.status)) {
      for (const node of current.body.nodes ?? []) {
        if (node.status === 'failed') {
          io.stderr(`${node.uid}: ${node.message ?? 'failed'}\n`);
        }
      }
      io.stdout(`deployment ${id} ${current.body.status}\n`);
      return current.body.status === 'succeeded' ? 0 : 1;
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
}

async function request<T>(url: string, init: RequestInit) {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { ok: response.ok, status: response.status, body: body as T };
}

function reportError(response: { status: number; body: any }, io: CliIo): number {
  const error = response.body?.error;
  io.stderr(`error: HTTP ${response.status}: ${error?.message ?? JSON.stringify(response.body)}\n`);
  for (const d of response.body?.details ?? []) {
    const where = [d.file, d.line, d.column].filter(x => x !== undefined).join(':');
    io.stderr(`${where ? `${where}: ` : ''}${d.path ? `${d.path}: ` : ''}${d.message}\n`);
  }
  return 1;
}
