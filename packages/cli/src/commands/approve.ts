import { ResponseError } from '@backstage/errors';
import { OrchestratorApiClient } from '@baton/backstage-plugin-orchestrator-common';
import { CliIo } from '../io';
import { reportError } from './deploy';

interface DecideOptions {
  url: string;
  comment?: string;
  token?: string;
}

/**
 * `baton approve` and `baton reject`: decides a deployment awaiting approval
 * on a running orchestrator, and prints what became of it.
 */
export async function runDecide(
  decision: 'approve' | 'reject',
  target: { app: string; env: string; id: string },
  opts: DecideOptions,
  io: CliIo,
): Promise<number> {
  const token = opts.token ?? process.env.BATON_TOKEN;
  const client = new OrchestratorApiClient({
    discoveryApi: { getBaseUrl: async pluginId => `${opts.url.replace(/\/+$/, '')}/api/${pluginId}` },
  });
  const request = { path: target, body: { comment: opts.comment } };
  try {
    const decided =
      decision === 'approve'
        ? await client.approveDeployment(request, { token })
        : await client.rejectDeployment(request, { token });
    io.stdout(`deployment ${decided.id} ${decided.status} (${decision === 'approve' ? 'approved' : 'rejected'} by ${decided.decidedBy})\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof ResponseError)) throw error;
    return reportError(error, io);
  }
}
