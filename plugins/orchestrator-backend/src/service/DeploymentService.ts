import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  Diagnostic,
  parseScoreResult,
  ScoreDocument,
  ScoreWorkload,
  validateScoreWorkload,
  ValidationError,
  DeploymentEvent,
  ResourceEvent,
} from '@baton/backstage-plugin-orchestrator-common';
import {
  buildResourceGraph,
  canonical,
  DriverRegistry,
  executeGraph,
  KubernetesObject,
  planApplication,
  renderApplication,
  ResourceGraph,
  toYamlDocuments,
} from '@baton/backstage-plugin-orchestrator-node';
import { Knex } from 'knex';
import { createHash, randomUUID } from 'node:crypto';
import { DeploymentRecord, DeploymentStore } from '../database/DeploymentStore';
import { EnvironmentRecord, OrchestratorStore } from '../database/OrchestratorStore';
import type { ClusterApplier } from '../extensions';
import { GitOpsRepository } from '../gitops/GitOpsRepository';
import { argoApplicationFor, secretStoreFor, toGitOpsObjects } from '../gitops/gitopsObjects';
import { SecretBox } from '../secrets/SecretBox';
import { DefinitionService } from './DefinitionService';
import { activeResourceDriver } from './activeResourceDriver';

/** A stored deployment set: the app's workloads, content-addressed. @internal */
export interface DeploymentSet {
  workloads: ScoreWorkload[];
}

/** @internal */
export interface GraphView {
  hash: string;
  nodes: {
    uid: string;
    resId: string;
    type: string;
    class: string;
    definition: string;
    criterion: Record<string, string> | null;
    dependsOn: string[];
  }[];
}

const LOCK_RENEW_MS = 10_000;

/**
 * Deployments: validation and queueing on request, then a runner that takes
 * queued deployments (one per environment at a time, across replicas),
 * provisions the graph, keeps every node's state, renders the workloads and
 * commits them to the GitOps repository.
 *
 * @internal
 */
export class DeploymentService {
  private stopped = false;
  private wake?: () => void;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      db: Knex;
      store: OrchestratorStore;
      deployments: DeploymentStore;
      definitions: DefinitionService;
      drivers: DriverRegistry;
      secrets: SecretBox;
      gitops: GitOpsRepository;
      logger: LoggerService;
      instanceId: string;
      baseUrl: string;
      gitopsRepoUrl: string;
      gitopsBranch: string;
      /** Where `direct` environments are applied; without one their manifests are only kept. */
      clusterApplier?: ClusterApplier;
      onEvent?: (event: DeploymentEvent | ResourceEvent) => Promise<void> | void;
    },
  ) {}

  /** Parses Score documents given as YAML/JSON strings or objects; every problem with its document. */
  parseWorkloads(workloads: unknown[]): ScoreDocument[] {
    if (!Array.isArray(workloads) || workloads.length === 0) {
      throw new InputError('workloads must list at least one Score document');
    }
    const diagnostics: Diagnostic[] = [];
    const documents: ScoreDocument[] = [];
    workloads.forEach((w, i) => {
      const file = `workloads[${i}]`;
      if (typeof w === 'string') {
        const result = parseScoreResult(w, file);
        if (result.workload) documents.push({ file, workload: result.workload });
        diagnostics.push(...result.diagnostics);
      } else {
        const problems = validateScoreWorkload(w, file);
        if (problems.length) diagnostics.push(...problems);
        else documents.push({ file, workload: w as ScoreWorkload });
      }
    });
    for (const d of documents) diagnostics.push(...unreadableSources(d));
    const names = new Map<string, string>();
    for (const d of documents) {
      const other = names.get(d.workload.metadata.name);
      if (other) diagnostics.push({ file: d.file, path: 'metadata.name', message: `workload ${d.workload.metadata.name} is also in ${other}` });
      names.set(d.workload.metadata.name, d.file);
    }
    if (diagnostics.length) throw new ValidationError(diagnostics);
    return documents;
  }

  private async requireEnv(app: string, env: string) {
    const record = await this.deps.store.getEnvironment(app, env);
    if (!record) throw new NotFoundError(`No environment ${app}/${env}`);
    return record;
  }

  /** Queues a deployment of the given workloads; returns immediately. */
  async create(
    app: string,
    env: string,
    request: { workloads: unknown[]; comment?: string },
    createdBy: string,
  ): Promise<DeploymentRecord> {
    await this.requireEnv(app, env);
    const documents = this.parseWorkloads(request.workloads);
    return this.queueSet(app, env, documents.map(d => d.workload), createdBy, request.comment);
  }

  /** Queues a deployment of a stored set (rollback, promote). */
  async queueSet(app: string, env: string, workloads: ScoreWorkload[], createdBy: string, comment?: string) {
    const set: DeploymentSet = {
      workloads: [...workloads].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)),
    };
    const setId = createHash('sha256').update(JSON.stringify(canonical(set))).digest('hex');
    await this.deps.deployments.putSet({ id: setId, appId: app, content: set });
    const deployment = await this.deps.deployments.createDeployment({
      id: randomUUID(),
      appId: app,
      envId: env,
      setId,
      createdBy,
      comment,
    });
    await this.emit({ type: 'deployment.queued', app, env, deploymentId: deployment.id, status: 'queued' });
    this.wake?.();
    return deployment;
  }

  async getSet(setId: string): Promise<DeploymentSet> {
    const set = (await this.deps.deployments.getSet(setId)) as DeploymentSet | undefined;
    if (!set) throw new NotFoundError(`No deployment set ${setId}`);
    return set;
  }

  /** A dry run: the plan with what would change per node. */
  async plan(app: string, env: string, request: { workloads: unknown[] }) {
    const environment = await this.requireEnv(app, env);
    const documents = this.parseWorkloads(request.workloads);
    const planned = await planApplication({
      app,
      env,
      envType: environment.type,
      workloads: documents,
      definitions: this.deps.definitions.index(),
      drivers: this.deps.drivers,
    });
    const active = new Map((await this.deps.deployments.listResources(app, env)).map(r => [r.uid, r]));
    const nodes = planned.plan.nodes.map(node => {
      const current = active.get(node.uid);
      let action: 'create' | 'update' | 'none' = 'create';
      if (current) action = current.definitionId === node.definition && current.status === 'active' ? 'none' : 'update';
      return { ...node, action };
    });
    const graphUids = new Set(nodes.map(n => n.uid));
    const deletes = [...active.values()]
      .filter(r => !graphUids.has(r.uid) && r.status !== 'orphaned')
      .map(r => ({ uid: r.uid, resId: r.resId, type: r.type, class: r.class, definition: r.definitionId, action: 'delete' as const }));
    return { ...planned.plan, nodes: [...nodes, ...deletes] };
  }

  /** Starts the runner: marks deployments abandoned by a crash failed, then works the queue. */
  async start(options: { pollMs?: number; staleAfterMs?: number } = {}) {
    const staleAfterMs = options.staleAfterMs ?? 3 * LOCK_RENEW_MS;
    // Locks this instance held before a restart are abandoned now; other
    // instances' locks once they stop being renewed.
    await this.failAbandoned(this.deps.instanceId, staleAfterMs);
    const pollMs = options.pollMs ?? 1000;
    let lastStaleCheck = Date.now();
    const loop = async () => {
      while (!this.stopped) {
        if (Date.now() - lastStaleCheck > staleAfterMs / 3) {
          lastStaleCheck = Date.now();
          await this.failAbandoned(undefined, staleAfterMs).catch(error =>
            this.deps.logger.error('Could not check for abandoned deployments', error),
          );
        }
        const next = await this.deps.deployments.claimNext(this.deps.instanceId).catch(error => {
          this.deps.logger.error('Could not read the deployment queue', error);
          return undefined;
        });
        if (next) {
          const run = this.run(next).catch(error => this.deps.logger.error(`Deployment ${next.id} crashed`, error));
          this.running.add(run);
          run.finally(() => {
            this.running.delete(run);
            // The environment is free again: look for its next deployment now.
            this.wake?.();
          });
          continue;
        }
        await new Promise<void>(resolve => {
          const timer = setTimeout(resolve, pollMs);
          timer.unref?.();
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    };
    this.loop = loop();
  }

  private loop?: Promise<void>;

  private async failAbandoned(owner: string | undefined, staleAfterMs: number) {
    const abandoned = await this.deps.deployments.failAbandoned({ owner: owner ?? '\u0000none', staleAfterMs });
    for (const id of abandoned) {
      this.deps.logger.warn(`Deployment ${id} was interrupted and is marked failed`);
      await this.deps.deployments.appendLog(id, {
        level: 'error',
        message: 'The backend stopped during this deployment; it is marked failed. Deploy again to converge.',
      });
      const d = await this.deps.deployments.getDeployment(id);
      if (d) await this.emit({ type: 'deployment.finished', app: d.appId, env: d.envId, deploymentId: id, status: 'failed' });
    }
  }

  async stop() {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await Promise.all(this.running);
  }

  /** Runs one claimed deployment to its end. */
  async run(deployment: DeploymentRecord): Promise<void> {
    const { deployments, definitions, secrets, logger } = this.deps;
    const { id, appId: app, envId: env } = deployment;
    const log = (level: 'info' | 'warn' | 'error', message: string, uid?: string) =>
      deployments.appendLog(id, { level, message, uid });
    const renew = setInterval(() => {
      deployments.renewLock(id, this.deps.instanceId).catch(() => undefined);
    }, LOCK_RENEW_MS);
    renew.unref?.();
    await this.emit({ type: 'deployment.started', app, env, deploymentId: id, status: 'running' });
    const previous = await deployments.getLastSucceeded(app, env);
    try {
      const environment = await this.requireEnv(app, env);
      const set = await this.getSet(deployment.setId);
      const documents = set.workloads.map(w => ({ file: `${w.metadata.name}`, workload: w }));
      await log('info', `Deploying ${documents.length} workload(s) to ${app}/${env} (${environment.type})`);

      let graph: ResourceGraph;
      try {
        graph = buildResourceGraph({ app, env, envType: environment.type, workloads: documents, index: definitions.index() });
      } catch (error) {
        const message = error instanceof ValidationError ? error.diagnostics.map(d => d.message).join('\n') : String(error);
        await log('error', message);
        await deployments.finishDeployment(id, { status: 'failed', error: message, previousId: previous?.id });
        return;
      }
      const graphView = viewOf(graph);
      const previousGraph = previous ? ((await deployments.getArtifacts(previous.id, ['graph'])).graph as GraphView | undefined) : undefined;
      await deployments.setArtifacts(id, { graph: graphView, diff: diffGraphs(previousGraph, graphView) });
      await deployments.setNodes(id, graph.nodes.map(n => ({ uid: n.uid, status: 'pending' as const })));

      const active = await deployments.listResources(app, env);
      const previousState = new Map(
        active.map(r => [r.uid, { cookie: r.cookie ? secrets.decrypt(r.cookie) : undefined }]),
      );
      const results = await executeGraph({
        graph,
        drivers: this.deps.drivers,
        previous: previousState,
        logger: {
          info: m => logger.info(m),
          warn: m => logger.warn(m),
          error: m => logger.error(m),
          debug: m => logger.debug(m),
        },
        onNodeEvent: async event => {
          await deployments.updateNode(id, { uid: event.uid, status: event.status === 'not-run' ? 'skipped' : event.status, message: event.message });
          if (event.status === 'running') await log('info', `${event.uid}: provisioning`, event.uid);
          else await log(event.status === 'failed' ? 'error' : 'info', `${event.uid}: ${event.status}${event.message ? ` (${event.message})` : ''}`, event.uid);
        },
      });

      // Keep the state of every node that ran, whatever happened elsewhere.
      const users = workloadUsers(graph);
      for (const node of graph.nodes) {
        const r = results.get(node.uid)!;
        if (r.status === 'succeeded') {
          await deployments.putResource({
            appId: app,
            envId: env,
            uid: node.uid,
            resId: node.resId,
            type: node.type,
            class: node.class,
            guresid: node.guresid,
            definitionId: node.match.loaded.definition.metadata.id,
            definitionRevision: definitions.revisionOf(node.match.loaded.definition.metadata.id),
            status: 'active',
            outputs: r.outputs,
            secretOutputs: Object.keys(r.secrets).length ? secrets.encrypt(r.secrets) : undefined,
            cookie: r.cookie !== undefined ? secrets.encrypt(r.cookie) : undefined,
            deploymentId: id,
            workloads: users.get(node.uid) ?? [],
          });
          await this.emitResource('resource.provisioned', app, env, node, id);
        } else if (r.status === 'failed') {
          if (active.some(a => a.uid === node.uid)) await deployments.setResourceStatus(app, env, node.uid, 'failed');
          await this.emitResource('resource.failed', app, env, node, id);
        }
      }
      const failed = [...results.values()].filter(r => r.status === 'failed');
      if (failed.length) {
        const message = failed.map(r => `${r.uid}: ${r.message}`).join('\n');
        await deployments.finishDeployment(id, { status: 'failed', error: message, previousId: previous?.id });
        await log('error', `Deployment failed: ${failed.length} resource(s) failed`);
        return;
      }
      for (const r of active) {
        if (!graph.byUid.has(r.uid) && r.status !== 'orphaned') {
          await deployments.setResourceStatus(app, env, r.uid, 'orphaned');
          await this.emitResource('resource.orphaned', app, env, r, id);
          await log('warn', `${r.uid} is no longer used; it is orphaned and kept until deprovisioned`, r.uid);
        }
      }

      const rendered = renderApplication({
        plan: undefined as never,
        graph,
        results,
        documents: new Map(documents.map(d => [d.workload.metadata.name, d])),
      });
      const delivery = await this.deliver(deployment, environment, rendered);
      await deployments.setArtifacts(id, { plan: planOf(graph, results) });
      await deployments.finishDeployment(id, { status: 'succeeded', commit: delivery.commit, previousId: previous?.id });
      await log('info', delivery.message);
    } catch (error) {
      const message = error instanceof ValidationError
        ? error.diagnostics.map(d => `${d.file ? `${d.file}: ` : ''}${d.path ? `${d.path}: ` : ''}${d.message}`).join('\n')
        : (error as Error).message;
      await log('error', message);
      await deployments.finishDeployment(id, { status: 'failed', error: message, previousId: previous?.id });
    } finally {
      clearInterval(renew);
      const finished = await deployments.getDeployment(id);
      await this.emit({ type: 'deployment.finished', app, env, deploymentId: id, status: finished?.status ?? 'failed' });
    }
  }

  /**
   * Keeps the rendered state with the deployment (secrets as ExternalSecret
   * references), then delivers it: `gitops` commits it and keeps the secret
   * data for the SecretStore; `direct` hands the objects, Secrets included,
   * to the cluster applier.
   */
  private async deliver(
    deployment: DeploymentRecord,
    environment: EnvironmentRecord,
    rendered: ReturnType<typeof renderApplication>,
  ): Promise<{ commit?: string; message: string }> {
    const { appId: app, envId: env, id } = deployment;
    const files: Record<string, string> = {};
    const secretObjects: KubernetesObject[] = [];
    for (const [workload, objects] of Object.entries(rendered.workloads)) {
      secretObjects.push(...objects.filter(o => o.kind === 'Secret'));
      files[`${workload}.yaml`] = toYamlDocuments(toGitOpsObjects(objects, { app, env }));
    }
    if (rendered.resources.length) {
      secretObjects.push(...rendered.resources.filter(o => o.kind === 'Secret'));
      files['resources.yaml'] = toYamlDocuments(toGitOpsObjects(rendered.resources, { app, env }));
    }
    if (environment.deployMode === 'direct') {
      await this.deps.deployments.setArtifacts(id, { delivered: files });
      const applier = this.deps.clusterApplier;
      if (!applier) {
        return { message: 'Direct deployment: no cluster applier is installed; the manifests are kept with the deployment' };
      }
      const objects = [...rendered.resources, ...Object.values(rendered.workloads).flat()];
      await applier.apply({ app, env, envType: environment.type, namespace: rendered.namespace, deploymentId: id, objects });
      return { message: `Applied ${objects.length} object(s) to namespace ${rendered.namespace}` };
    }
    files['secret-store.yaml'] = toYamlDocuments([secretStoreFor({ namespace: rendered.namespace, baseUrl: this.deps.baseUrl })]);
    await this.deps.db.transaction(async tx => {
      await tx('delivered_secrets').where({ app_id: app, env_id: env }).delete();
      for (const s of secretObjects) {
        const data = Object.fromEntries(
          Object.entries((s.data as Record<string, string>) ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
        );
        await tx('delivered_secrets').insert({
          app_id: app,
          env_id: env,
          name: s.metadata.name,
          data: this.deps.secrets.encrypt(data),
          deployment_id: id,
        });
      }
    });
    const application = argoApplicationFor({
      app,
      env,
      namespace: rendered.namespace,
      repoUrl: this.deps.gitopsRepoUrl,
      branch: this.deps.gitopsBranch,
    });
    await this.deps.deployments.setArtifacts(id, { delivered: files });
    const commit = await this.deps.gitops.commitAppState({
      app,
      env,
      files,
      extraFiles: { [`argocd/${env}-${app}.yaml`]: toYamlDocuments([application]) },
      message: `Deploy ${app} to ${env}\n\nBaton deployment ${id}`,
    });
    return {
      commit,
      message: commit ? `Committed ${commit.slice(0, 12)} to the GitOps repository` : 'The GitOps repository already had this state',
    };
  }

  /**
   * Deprovisions an active resource through its driver's `destroy`. Only
   * orphaned resources, unless forced.
   */
  async deprovision(app: string, env: string, uid: string, options: { force: boolean }) {
    const { deployments, definitions, secrets } = this.deps;
    const resource = await deployments.getResource(app, env, uid);
    if (!resource) throw new NotFoundError(`No active resource ${uid} in ${app}/${env}`);
    if (resource.status !== 'orphaned' && !options.force) {
      throw new ConflictError(`${uid} is still used by ${app}/${env}; only orphaned resources are deprovisioned unless forced`);
    }
    const environment = await this.requireEnv(app, env);
    const found = activeResourceDriver({
      resource,
      envType: environment.type,
      environment: new Map((await deployments.listResources(app, env)).map(r => [r.uid, r])),
      definitions,
      drivers: this.deps.drivers,
      secrets,
      logger: this.deps.logger,
    });
    await deployments.setResourceStatus(app, env, uid, 'deleting');
    if (found?.driver.destroy) {
      try {
        await found.driver.destroy(found.context);
      } catch (error) {
        await deployments.setResourceStatus(app, env, uid, resource.status);
        throw error;
      }
    }
    await deployments.deleteResource(app, env, uid);
    await this.emitResource('resource.deprovisioned', app, env, resource);
  }

  /** The data of a delivered Secret, for the External Secrets webhook. */
  async deliveredSecret(app: string, env: string, name: string): Promise<Record<string, string>> {
    const row = await this.deps.db('delivered_secrets').where({ app_id: app, env_id: env, name }).first();
    if (!row) throw new NotFoundError(`No delivered secret ${app}/${env}/${name}`);
    return this.deps.secrets.decrypt(row.data);
  }

  private async emitResource(
    type: ResourceEvent['type'],
    app: string,
    env: string,
    resource: { uid: string; resId: string; type: string },
    deploymentId?: string,
  ) {
    await this.emit({
      type,
      app,
      env,
      uid: resource.uid,
      resId: resource.resId,
      resourceType: resource.type,
      ...(deploymentId ? { deploymentId } : {}),
    });
  }

  private async emit(event: DeploymentEvent | ResourceEvent) {
    try {
      await this.deps.onEvent?.(event);
    } catch (error) {
      this.deps.logger.warn(`Could not publish ${event.type}: ${error}`);
    }
  }
}

/**
 * `files.*.source` names a file beside the Score file, which the API never
 * has: said at request time, dry run included, rather than when rendering.
 */
function unreadableSources({ file, workload }: ScoreDocument): Diagnostic[] {
  return Object.entries(workload.containers).flatMap(([container, c]) =>
    Object.entries(c.files ?? {})
      .filter(([, f]) => f.source !== undefined && f.content === undefined && f.binaryContent === undefined)
      .map(([target, f]) => ({
        file,
        path: `containers.${container}.files.${target}.source`,
        message: `cannot read ${f.source}: the API has no files beside the Score file; send the file's content instead`,
      })),
  );
}

/** For every node, the workloads that depend on it, directly or through other resources. */
function workloadUsers(graph: ResourceGraph): Map<string, string[]> {
  const users = new Map<string, Set<string>>();
  for (const w of graph.nodes) {
    if (!w.workload) continue;
    const stack = [...w.dependsOn];
    const seen = new Set<string>();
    while (stack.length) {
      const uid = stack.pop()!;
      if (seen.has(uid)) continue;
      seen.add(uid);
      let set = users.get(uid);
      if (!set) users.set(uid, (set = new Set()));
      set.add(w.workload);
      stack.push(...(graph.byUid.get(uid)?.dependsOn ?? []));
    }
    users.set(w.uid, new Set([w.workload]));
  }
  return new Map([...users].map(([uid, set]) => [uid, [...set].sort()]));
}

function viewOf(graph: ResourceGraph): GraphView {
  return {
    hash: graph.hash,
    nodes: graph.nodes.map(n => ({
      uid: n.uid,
      resId: n.resId,
      type: n.type,
      class: n.class,
      definition: n.match.loaded.definition.metadata.id,
      criterion: n.match.criterion ? ({ ...n.match.criterion } as Record<string, string>) : null,
      dependsOn: n.dependsOn,
    })),
  };
}

function planOf(graph: ResourceGraph, results: Map<string, { outputs: Record<string, unknown>; secrets: Record<string, unknown> }>) {
  return {
    hash: graph.hash,
    nodes: viewOf(graph).nodes.map(n => ({
      ...n,
      outputs: results.get(n.uid)?.outputs ?? {},
      secretOutputs: Object.keys(results.get(n.uid)?.secrets ?? {}).sort(),
    })),
  };
}

/** What changed between two deployments' graphs. @internal */
export function diffGraphs(before: GraphView | undefined, after: GraphView) {
  const old = new Map((before?.nodes ?? []).map(n => [n.uid, n]));
  const added: string[] = [];
  const changed: { uid: string; from: string; to: string }[] = [];
  for (const n of after.nodes) {
    const o = old.get(n.uid);
    if (!o) added.push(n.uid);
    else if (o.definition !== n.definition) changed.push({ uid: n.uid, from: o.definition, to: n.definition });
    old.delete(n.uid);
  }
  return { added, removed: [...old.keys()], changed };
}
