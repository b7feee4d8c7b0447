import { LoggerService } from '@backstage/backend-plugin-api';
import { ScoreWorkload, ValidationError } from '@baton/backstage-plugin-orchestrator-common';
import {
  diffGraphViews,
  DriverRegistry,
  GraphView,
  graphViewOf,
  planApplication,
  PreviousNodeState,
  RenderWorkers,
  TimeSlices,
} from '@baton/backstage-plugin-orchestrator-node';
import { ActiveResourceRecord, DeploymentRecord, DeploymentStore, ProvisionedWith } from '../database/DeploymentStore';
import { OrchestratorStore } from '../database/OrchestratorStore';
import { Delivery } from '../delivery/Delivery';
import { SecretBox } from '../secrets/SecretBox';
import { DefinitionService } from '../service/DefinitionService';
import { OrchestratorEvents } from '../service/OrchestratorEvents';
import { DeploymentLease, LeaseLostError } from './DeploymentLease';
import { DeploymentProgress } from './DeploymentProgress';
import { ResourceRecorder } from './ResourceRecorder';

/** What running a deployment needs. @internal */
export interface RunDeploymentDeps {
  store: OrchestratorStore;
  deploymentStore: DeploymentStore;
  definitions: DefinitionService;
  drivers: DriverRegistry;
  secrets: SecretBox;
  delivery: { gitops: Delivery; direct: Delivery };
  events: OrchestratorEvents;
  logger: LoggerService;
  /** Renders the workloads beside the event loop. */
  renderWorkers: Pick<RenderWorkers, 'renderApplication'>;
  /** How many independent graph nodes are provisioned at once (`orchestrator.deployments.nodeConcurrency`, default 4). */
  nodeConcurrency?: number;
}

/**
 * What an active resource left for the next deployment: its cookie, and for
 * one still active its outputs, manifests and the digest of what it was
 * provisioned with, so that a node asked the same again keeps them.
 */
function previousState(r: ActiveResourceRecord, secrets: SecretBox): PreviousNodeState {
  // Shared (frozen) values: most of a big app's resources are read unchanged by its next deployment too.
  const cookie = r.cookie ? secrets.decryptShared(r.cookie) : undefined;
  if (r.status !== 'active' || !r.provisionedWith) return { cookie };
  const { manifests, provisionedHash } = secrets.decryptShared<ProvisionedWith>(r.provisionedWith);
  return {
    cookie,
    outputs: r.outputs,
    secrets: r.secretOutputs ? secrets.decryptShared<Record<string, unknown>>(r.secretOutputs) : {},
    manifests,
    provisionedHash,
  };
}

/** Both results once both are done; the first one's error if either failed. */
async function bothSettled<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}

function messageOf(error: unknown): string {
  return error instanceof ValidationError
    ? error.diagnostics.map(d => `${d.file ? `${d.file}: ` : ''}${d.path ? `${d.path}: ` : ''}${d.message}`).join('\n')
    : (error as Error).message;
}

/**
 * Runs one claimed deployment: the engine plans and provisions the graph
 * (recording it and every node's progress), the recorder keeps the
 * resources' state, the workloads are rendered and delivered, and the final
 * status is written — each write that only the lock holder may make checked
 * against the lease first.
 *
 * @internal
 */
export async function runDeployment(deps: RunDeploymentDeps, deployment: DeploymentRecord, lease: DeploymentLease): Promise<void> {
  const { deploymentStore, definitions, secrets, events } = deps;
  const { id, appId: app, envId: env } = deployment;
  const progress = new DeploymentProgress(deploymentStore, id);
  const recorder = new ResourceRecorder(
    {
      deploymentStore,
      secrets,
      revisionOf: definitionId => definitions.revisionOf(definitionId),
      emit: (type, resources) => events.resources(type, app, env, resources, id),
    },
    { id, app, env },
  );
  await events.deployment('deployment.started', app, env, id, 'running');
  const previous = await deploymentStore.getLastSucceeded(app, env);
  const finish = async (result: { status: 'succeeded' | 'failed'; error?: string; commit?: string }) => {
    await progress.flush();
    const finished = await deploymentStore.finishDeployment(id, lease.owner, { ...result, previousId: previous?.id });
    if (!finished) deps.logger.warn(`Deployment ${id} lost its environment lock; its ${result.status} result was not recorded`);
  };

  try {
    const environment = await deps.store.getEnvironment(app, env);
    if (!environment) throw new Error(`No environment ${app}/${env}`);
    const set = (await deploymentStore.getSet(deployment.setId)) as { workloads: ScoreWorkload[] } | undefined;
    if (!set) throw new Error(`No deployment set ${deployment.setId}`);
    const documents = set.workloads.map(w => ({ file: w.metadata.name, workload: w }));
    progress.log('info', `Deploying ${documents.length} workload(s) to ${app}/${env} (${environment.type})`);

    const active = await deploymentStore.listResources(app, env);
    // Three decryptions per resource: tens of thousands in a big app, so in time slices.
    const previousStates = new Map<string, PreviousNodeState>();
    const slices = new TimeSlices();
    for (const r of active) {
      await slices.pause();
      previousStates.set(r.uid, previousState(r, secrets));
    }
    let graphBuilt = false;
    // The graph and its pending nodes are written while the graph runs (in order with the progress batches).
    let graphWritten: Promise<void> = Promise.resolve();
    let unchanged = 0;
    let planned;
    try {
      planned = await planApplication({
        app,
        env,
        envType: environment.type,
        workloads: documents,
        definitions: definitions.index(),
        drivers: deps.drivers,
        provision: true,
        previous: previousStates,
        signal: lease.signal,
        concurrency: deps.nodeConcurrency,
        // What a driver says about a node goes to the deployment's log (debug only to the backend's).
        logger: {
          info: (m, meta) => (meta?.uid ? progress.log('info', m, String(meta.uid)) : deps.logger.info(m)),
          warn: (m, meta) => (meta?.uid ? progress.log('warn', m, String(meta.uid)) : deps.logger.warn(m)),
          error: (m, meta) => (meta?.uid ? progress.log('error', m, String(meta.uid)) : deps.logger.error(m)),
          debug: m => deps.logger.debug(m),
        },
        onGraph: graph => {
          graphBuilt = true;
          graphWritten = progress.enqueue(async () => {
            const view = graphViewOf(graph);
            const before = previous ? ((await deploymentStore.getArtifacts(previous.id, ['graph'])).graph as GraphView | undefined) : undefined;
            await deploymentStore.setArtifacts(id, { graph: view, diff: diffGraphViews(before, view) });
            await deploymentStore.setNodes(id, graph.nodes.map(n => ({ uid: n.uid, status: 'pending' as const })));
          });
          // Awaited once the graph has run; until then a failure must not count as unhandled.
          graphWritten.catch(() => undefined);
        },
        onNodeEvent: event => {
          progress.node({ uid: event.uid, status: event.status === 'not-run' ? 'skipped' : event.status, message: event.message });
          // Unchanged nodes are many in a redeployment: one line says how many. A
          // node's start shows in its status; the log says how each one ended.
          if (event.unchanged) unchanged++;
          else if (event.status !== 'running') progress.log(event.status === 'failed' ? 'error' : 'info', `${event.uid}: ${event.status}${event.message ? ` (${event.message})` : ''}`, event.uid);
        },
      });
    } catch (error) {
      if (graphBuilt || !(error instanceof ValidationError)) throw error;
      // The graph could not be built (no matching definition, a cycle): say so plainly.
      const message = error.diagnostics.map(d => d.message).join('\n');
      progress.log('error', message);
      await finish({ status: 'failed', error: message });
      return;
    }
    const { graph, results } = planned;
    await graphWritten;
    if (unchanged) progress.log('info', `${unchanged} node(s) unchanged: provisioned with the same as before, their drivers were not called`);

    await lease.assertHeld();
    const failed = [...results.values()].filter(r => r.status === 'failed');
    if (failed.length) {
      await recorder.recordResults(graph, results, active);
      progress.log('error', `Deployment failed: ${failed.length} resource(s) failed`);
      await finish({ status: 'failed', error: failed.map(r => `${r.uid}: ${r.message}`).join('\n') });
      return;
    }
    // Recording (this thread and the database) while rendering and preparing the delivery
    // (worker threads, this thread while the database writes). The resources' state is
    // kept even when rendering fails; nothing is delivered until it is recorded.
    const [, prepared] = await bothSettled(
      (async () => {
        await recorder.recordResults(graph, results, active);
        for (const r of await recorder.recordOrphans(graph, active)) {
          progress.log('warn', `${r.uid} is no longer used; it is orphaned and kept until deprovisioned`, r.uid);
        }
      })(),
      deps.renderWorkers
        .renderApplication(planned)
        .then(rendered => deps.delivery[environment.deployMode === 'direct' ? 'direct' : 'gitops'].prepare({ deploymentId: id, app, env, environment, rendered })),
    );
    await lease.assertHeld();
    // What the deployment keeps (its plan, the files) is encoded while the delivery commits.
    const [delivery, artifacts] = await bothSettled(
      prepared.deliver(),
      deploymentStore.encodeArtifacts({ plan: planned.plan, delivered: prepared.delivered }),
    );
    await deploymentStore.setEncodedArtifacts(id, artifacts);
    progress.log('info', delivery.message);
    await finish({ status: 'succeeded', commit: delivery.commit });
  } catch (error) {
    if (error instanceof LeaseLostError || lease.lost) {
      deps.logger.warn((error as Error).message);
      await progress.flush().catch(() => undefined);
      return;
    }
    const message = messageOf(error);
    progress.log('error', message);
    await finish({ status: 'failed', error: message });
  } finally {
    await recorder.published();
    // A run that lost its lease did not finish: whoever holds the deployment now says how it ends.
    if (!lease.lost) {
      const finished = await deploymentStore.getDeployment(id);
      await events.deployment('deployment.finished', app, env, id, finished?.status ?? 'failed');
    }
  }
}
