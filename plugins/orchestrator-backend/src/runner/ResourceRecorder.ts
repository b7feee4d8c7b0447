import { ResourceDefinition, ResourceEvent } from '@baton/backstage-plugin-orchestrator-common';
import { NodeResult, ResourceGraph, TimeSlices, workloadUsersInSlices } from '@baton/backstage-plugin-orchestrator-node';
import { ActiveResourceRecord, ProvisionedWith, ResourceStore } from '../database/DeploymentStore';
import { SecretBox } from '../secrets/SecretBox';

type ResourceEventType = ResourceEvent['type'];

/**
 * What a deployment leaves behind in the environment's active resources:
 * the state of every node that ran (outputs, encrypted secret outputs and
 * driver state, the definition and revision that made it, the workloads that
 * use it), failures, and orphans — resources no longer in the graph, kept
 * until deprovisioned. Writes each phase in batches; each definition once.
 *
 * @internal
 */
export class ResourceRecorder {
  constructor(
    private readonly deps: {
      /** The environment's active resources: the only store a recorder writes. */
      resourceStore: ResourceStore;
      secrets: SecretBox;
      revisionOf: (definitionId: string) => number;
      /** Publishes resource events; never rejects (a failed publish is the publisher's to report). */
      emit: (type: ResourceEventType, resources: { uid: string; resId: string; type: string }[]) => Promise<void>;
    },
    private readonly deployment: { id: string; app: string; env: string },
  ) {}

  /**
   * Resource events being published. The deployment goes on meanwhile (with
   * PostgreSQL each event is a write to the event bus, a quarter of a second
   * for a thousand workloads' resources) and awaits them before it says it
   * finished.
   */
  #publishing: Promise<void>[] = [];

  /** Resolves once every resource event recorded so far is published (or failed to be, which the publisher reports). */
  async published(): Promise<void> {
    await Promise.allSettled(this.#publishing);
  }

  private emit(type: ResourceEventType, resources: { uid: string; resId: string; type: string }[]) {
    this.#publishing.push(this.deps.emit(type, resources));
  }

  /**
   * Keeps the state of every node that ran, whatever happened elsewhere; a
   * node that kept its previous result (`unchanged`) is written only if the
   * workloads using it changed.
   */
  async recordResults(graph: ResourceGraph, results: Map<string, NodeResult>, active: ActiveResourceRecord[]) {
    const { app, env, id } = this.deployment;
    const { secrets } = this.deps;
    const users = await workloadUsersInSlices(graph);
    const known = new Map(active.map(a => [a.uid, a]));
    const provisioned: Omit<ActiveResourceRecord, 'updatedAt'>[] = [];
    // Each definition is kept once, not inside every resource it provisioned (it was two thirds of each row).
    const digests = new Map<object, string>();
    const snapshots = new Map<string, string>();
    const digestOf = (definition: ResourceDefinition) => {
      let digest = digests.get(definition);
      if (!digest) {
        digest = secrets.digest(JSON.stringify(definition));
        digests.set(definition, digest);
        if (!snapshots.has(digest)) snapshots.set(digest, secrets.encrypt(definition));
      }
      return digest;
    };
    const failed: string[] = [];
    const slices = new TimeSlices();
    for (const node of graph.nodes) {
      await slices.pause();
      const r = results.get(node.uid)!;
      const before = known.get(node.uid);
      const usedBy = users.get(node.uid) ?? [];
      const kept =
        r.unchanged &&
        before?.status === 'active' &&
        before.definitionRevision === this.deps.revisionOf(node.definition) &&
        sameNames(before.workloads ?? [], usedBy);
      if (kept) continue;
      if (r.status === 'succeeded') {
        provisioned.push({
          appId: app,
          envId: env,
          uid: node.uid,
          resId: node.resId,
          type: node.type,
          class: node.class,
          guresid: node.guresid,
          definitionId: node.definition,
          definitionRevision: this.deps.revisionOf(node.definition),
          status: 'active',
          outputs: r.outputs,
          secretOutputs: Object.keys(r.secrets).length ? secrets.encrypt(r.secrets) : undefined,
          secretOutputNames: Object.keys(r.secrets).length ? Object.keys(r.secrets).sort() : undefined,
          cookie: r.cookie !== undefined ? secrets.encrypt(r.cookie) : undefined,
          provisionedWith: secrets.encrypt({
            definitionDigest: digestOf(node.match.loaded.definition),
            params: r.params ?? {},
            manifests: r.manifests,
            provisionedHash: r.provisionedHash,
          } satisfies ProvisionedWith),
          deploymentId: id,
          workloads: usedBy,
        });
      } else if (r.status === 'failed') {
        failed.push(node.uid);
      }
    }
    // Before the resources: a resource never points at a definition that is not kept.
    await this.deps.resourceStore.putDefinitionSnapshots([...snapshots].map(([digest, definition]) => ({ digest, definition })));
    await this.deps.resourceStore.putResources(provisioned);
    await this.deps.resourceStore.setResourceStatuses(app, env, failed.filter(uid => known.has(uid)), 'failed');
    const changed = graph.nodes.filter(n => results.get(n.uid)!.status === 'succeeded' && !results.get(n.uid)!.unchanged);
    this.emit('resource.provisioned', changed);
    this.emit('resource.failed', graph.nodes.filter(n => results.get(n.uid)!.status === 'failed'));
  }

  /** Marks active resources that left the graph orphaned; returns them. */
  async recordOrphans(graph: ResourceGraph, active: ActiveResourceRecord[]): Promise<ActiveResourceRecord[]> {
    const orphans = active.filter(r => !graph.byUid.has(r.uid) && r.status !== 'orphaned');
    await this.deps.resourceStore.setResourceStatuses(this.deployment.app, this.deployment.env, orphans.map(r => r.uid), 'orphaned');
    this.emit('resource.orphaned', orphans);
    return orphans;
  }
}

function sameNames(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
}
