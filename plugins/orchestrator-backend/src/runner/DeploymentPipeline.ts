import { LoggerService } from '@backstage/backend-plugin-api';
import { ScoreWorkload, ValidationError } from '@baton/backstage-plugin-orchestrator-common';
import {
  diffGraphViews,
  DriverRegistry,
  GraphView,
  graphViewOf,
  planApplication,
  RenderWorkers,
} from '@baton/backstage-plugin-orchestrator-node';
import { DeploymentRecord, DeploymentStore } from '../database/DeploymentStore';
import { OrchestratorStore } from '../database/OrchestratorStore';
import { Delivery } from '../delivery/Delivery';
import { SecretBox } from '../secrets/SecretBox';
import { DefinitionService } from '../service/DefinitionService';
import { OrchestratorEvents } from '../service/OrchestratorEvents';
import { DeploymentLease, LeaseLostError } from './DeploymentLease';
import { DeploymentProgress } from './DeploymentProgress';
import { previousStates } from './previousStates';
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

/** Both results once both are done; the first one's error if either failed. */
async function bothSettled<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}

/** A failure as the deployment's log says it: every problem of a rendering, one per line. @internal */
export function messageOf(error: unknown): string {
  return error instanceof ValidationError
    ? error.diagnostics.map(d => `${d.file ? `${d.file}: ` : ''}${d.path ? `${d.path}: ` : ''}${d.message}`).join('\n')
    : (error as Error).message;
}

/** A stage ended the deployment (with a final status already written): the stages after it do not run. */
class DeploymentEnded extends Error {}

/**
 * One claimed deployment, stage by stage: {@link DeploymentPipeline.load}
 * reads the environment, the set and the active resources once;
 * {@link DeploymentPipeline.planAndProvision} builds the graph and runs the
 * drivers (recording the graph and every node's progress);
 * {@link DeploymentPipeline.recordAndRender} keeps the resources' state while
 * the workloads are rendered and the delivery prepared;
 * {@link DeploymentPipeline.deliver} commits or applies;
 * {@link DeploymentPipeline.finish} writes the final status. Each write that
 * only the lock holder may make is checked against the lease first.
 *
 * @internal
 */
export class DeploymentPipeline {
  private readonly progress: DeploymentProgress;
  private readonly recorder: ResourceRecorder;
  private previous?: DeploymentRecord;

  constructor(
    private readonly deps: RunDeploymentDeps,
    private readonly deployment: DeploymentRecord,
    private readonly lease: DeploymentLease,
  ) {
    const { id, appId: app, envId: env } = deployment;
    this.progress = new DeploymentProgress(deps.deploymentStore, id);
    this.recorder = new ResourceRecorder(
      {
        resourceStore: deps.deploymentStore,
        secrets: deps.secrets,
        revisionOf: definitionId => deps.definitions.revisionOf(definitionId),
        emit: (type, resources) => deps.events.resources(type, app, env, resources, id),
      },
      { id, app, env },
    );
  }

  /** Runs every stage; a failure ends the deployment failed, a lost lease ends it without a word. */
  async run(): Promise<void> {
    const { app, env, id } = this.ids;
    await this.deps.events.deployment('deployment.started', app, env, id, 'running');
    try {
      this.previous = await this.deps.deploymentStore.getLastSucceeded(app, env);
      const loaded = await this.load();
      const planned = await this.planAndProvision(loaded);
      const prepared = await this.recordAndRender(loaded, planned);
      const commit = await this.deliver(planned, prepared);
      await this.finish({ status: 'succeeded', commit });
    } catch (error) {
      if (error instanceof DeploymentEnded) return;
      if (error instanceof LeaseLostError || this.lease.lost) {
        this.deps.logger.warn((error as Error).message);
        await this.progress.flush().catch(() => undefined);
        return;
      }
      const message = messageOf(error);
      this.progress.log('error', message);
      await this.finish({ status: 'failed', error: message });
    } finally {
      await this.recorder.published();
      // A run that lost its lease did not finish: whoever holds the deployment now says how it ends.
      if (!this.lease.lost) {
        const finished = await this.deps.deploymentStore.getDeployment(id);
        await this.deps.events.deployment('deployment.finished', app, env, id, finished?.status ?? 'failed');
      }
    }
  }

  private get ids() {
    return { id: this.deployment.id, app: this.deployment.appId, env: this.deployment.envId };
  }

  /** The environment, the set's workloads and the active resources with what each left for this deployment. */
  private async load() {
    const { app, env } = this.ids;
    const { deploymentStore, secrets } = this.deps;
    const environment = await this.deps.store.getEnvironment(app, env);
    if (!environment) throw new Error(`No environment ${app}/${env}`);
    const set = (await deploymentStore.getSet(this.deployment.setId)) as { workloads: ScoreWorkload[] } | undefined;
    if (!set) throw new Error(`No deployment set ${this.deployment.setId}`);
    const documents = set.workloads.map(w => ({ file: w.metadata.name, workload: w }));
    this.progress.log('info', `Deploying ${documents.length} workload(s) to ${app}/${env} (${environment.type})`);

    const active = await deploymentStore.listResources(app, env);
    return { environment, documents, active, previousStates: await previousStates(active, secrets) };
  }

  /**
   * Builds the graph and provisions it: the graph and its pending nodes are
   * stored as soon as it exists, each node's progress as it goes. A graph that
   * cannot be built, or a failed node, ends the deployment failed (the
   * provisioned resources' state kept).
   */
  private async planAndProvision(loaded: Awaited<ReturnType<DeploymentPipeline['load']>>) {
    const { id, app, env } = this.ids;
    const { deploymentStore } = this.deps;
    const progress = this.progress;
    let graphBuilt = false;
    // The graph and its pending nodes are written while the graph runs (in order with the progress batches).
    let graphWritten: Promise<void> = Promise.resolve();
    let unchanged = 0;
    let planned;
    try {
      planned = await planApplication({
        app,
        env,
        envType: loaded.environment.type,
        workloads: loaded.documents,
        definitions: this.deps.definitions.index(),
        drivers: this.deps.drivers,
        provision: true,
        previous: loaded.previousStates,
        signal: this.lease.signal,
        concurrency: this.deps.nodeConcurrency,
        // What a driver says about a node goes to the deployment's log (debug only to the backend's).
        logger: {
          info: (m, meta) => (meta?.uid ? progress.log('info', m, String(meta.uid)) : this.deps.logger.info(m)),
          warn: (m, meta) => (meta?.uid ? progress.log('warn', m, String(meta.uid)) : this.deps.logger.warn(m)),
          error: (m, meta) => (meta?.uid ? progress.log('error', m, String(meta.uid)) : this.deps.logger.error(m)),
          debug: m => this.deps.logger.debug(m),
        },
        onGraph: graph => {
          graphBuilt = true;
          graphWritten = progress.enqueue(async () => {
            const view = graphViewOf(graph);
            const before = this.previous ? ((await deploymentStore.getArtifacts(this.previous.id, ['graph'])).graph as GraphView | undefined) : undefined;
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
      await this.finish({ status: 'failed', error: message });
      throw new DeploymentEnded();
    }
    await graphWritten;
    if (unchanged) progress.log('info', `${unchanged} node(s) unchanged: provisioned with the same as before, their drivers were not called`);

    await this.lease.assertHeld();
    const failed = [...planned.results.values()].filter(r => r.status === 'failed');
    if (failed.length) {
      await this.recorder.recordResults(planned.graph, planned.results, loaded.active);
      progress.log('error', `Deployment failed: ${failed.length} resource(s) failed`);
      await this.finish({ status: 'failed', error: failed.map(r => `${r.uid}: ${r.message}`).join('\n') });
      throw new DeploymentEnded();
    }
    return planned;
  }

  /**
   * Records the resources' state (this thread and the database) while the
   * workloads are rendered and the delivery prepared (worker threads, this
   * thread while the database writes). The state is kept even when
   * rendering fails; nothing is delivered until it is recorded.
   */
  private async recordAndRender(
    loaded: Awaited<ReturnType<DeploymentPipeline['load']>>,
    planned: Awaited<ReturnType<DeploymentPipeline['planAndProvision']>>,
  ) {
    const { id, app, env } = this.ids;
    const { environment, active } = loaded;
    const [, prepared] = await bothSettled(
      (async () => {
        await this.recorder.recordResults(planned.graph, planned.results, active);
        for (const r of await this.recorder.recordOrphans(planned.graph, active)) {
          this.progress.log('warn', `${r.uid} is no longer used; it is orphaned and kept until deprovisioned`, r.uid);
        }
      })(),
      this.deps.renderWorkers
        .renderApplication(planned)
        .then(rendered => this.deps.delivery[environment.deployMode === 'direct' ? 'direct' : 'gitops'].prepare({ deploymentId: id, app, env, environment, rendered })),
    );
    return prepared;
  }

  /** Delivers (a Git commit, or the cluster applier) while what the deployment keeps is encoded; returns the commit. */
  private async deliver(
    planned: Awaited<ReturnType<DeploymentPipeline['planAndProvision']>>,
    prepared: Awaited<ReturnType<DeploymentPipeline['recordAndRender']>>,
  ): Promise<string | undefined> {
    await this.lease.assertHeld();
    const [delivery, artifacts] = await bothSettled(
      prepared.deliver(),
      this.deps.deploymentStore.encodeArtifacts({ plan: planned.plan, delivered: prepared.delivered }),
    );
    await this.deps.deploymentStore.setEncodedArtifacts(this.deployment.id, artifacts);
    this.progress.log('info', delivery.message);
    return delivery.commit;
  }

  /** Writes the final status, while this backend still holds the environment. */
  private async finish(result: { status: 'succeeded' | 'failed'; error?: string; commit?: string }) {
    const { id } = this.ids;
    await this.progress.flush();
    const finished = await this.deps.deploymentStore.finishDeployment(id, this.lease.owner, { ...result, previousId: this.previous?.id });
    if (!finished) this.deps.logger.warn(`Deployment ${id} lost its environment lock; its ${result.status} result was not recorded`);
  }
}

/** Runs one claimed deployment through its {@link DeploymentPipeline}. @internal */
export function runDeployment(deps: RunDeploymentDeps, deployment: DeploymentRecord, lease: DeploymentLease): Promise<void> {
  return new DeploymentPipeline(deps, deployment, lease).run();
}
