import { promises as fs } from 'node:fs';
import { ResponseError } from '@backstage/errors';
import { OrchestratorApiClient } from '@baton/backstage-plugin-orchestrator-common';
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

const FINAL = new Set(['succeeded', 'failed', 'cancelled', 'rejected']);

/**
 * `baton deploy`: sends the Score files to a running orchestrator, then polls
 * the deployment, printing new log lines, until it ends.
 */
export async function runDeploy(opts: DeployOptions, io: CliIo): Promise<number> {
  const token = opts.token ?? process.env.BATON_TOKEN;
  const client = new OrchestratorApiClient({
    discoveryApi: { getBaseUrl: async pluginId => `${opts.url.replace(/\/+$/, '')}/api/${pluginId}` },
  });
  const path = { app: opts.app, env: opts.env };
  try {
    const workloads = await Promise.all(opts.score.map(f => fs.readFile(f, 'utf8')));
    const created = await client.createDeployment({ path, body: { workloads, comment: opts.comment } }, { token });
    if (!('id' in created)) throw new Error('the orchestrator answered with a plan instead of queuing a deployment');
    const { id } = created;
    io.stdout(`deployment ${id} ${created.status}\n`);
    if (!opts.wait) return 0;

    let lastLine: number | undefined;
    for (;;) {
      // Polled without the node list and the diff; read whole once it has ended.
      const status = await client.getDeployment({ path: { ...path, id }, query: { nodes: 'false' } }, { token });
      // The log after the status: once the status is final the log is whole.
      const log = await client.getDeploymentLog(
        { path: { ...path, id }, query: { after: lastLine !== undefined ? String(lastLine) : undefined } },
        { token },
      );
      for (const line of log.lines) {
        io.stdout(`  ${line.message}\n`);
        lastLine = line.id;
      }
      if (FINAL.has(status.status)) {
        const current = await client.getDeployment({ path: { ...path, id } }, { token });
        for (const node of current.nodes ?? []) {
          if (node.status === 'failed') {
            io.stderr(`${node.uid}: ${node.message ?? 'failed'}\n`);
          }
        }
        io.stdout(`deployment ${id} ${current.status}\n`);
        return current.status === 'succeeded' ? 0 : 1;
      }
      await new Promise(resolve => setTimeout(resolve, 500));
    }
  } catch (error) {
    if (!(error instanceof ResponseError)) throw error;
    return reportError(error, io);
  }
}

/** Prints the orchestrator's error (and each problem it lists) to stderr; the exit code 1. */
export function reportError(error: ResponseError, io: CliIo): number {
  const body = error.body as typeof error.body & {
    details?: { file?: string; line?: number; column?: number; path?: string; message: string }[];
  };
  io.stderr(`error: HTTP ${error.statusCode}: ${body.error.message}\n`);
  for (const d of body.details ?? []) {
    const where = [d.file, d.line, d.column].filter(x => x !== undefined).join(':');
    io.stderr(`${where ? `${where}: ` : ''}${d.path ? `${d.path}: ` : ''}${d.message}\n`);
  }
  return 1;
}
