/** @internal */
export type DeploymentStatus = 'awaiting-approval' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'rejected';

/** @internal */
export type NodeStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

/** @internal */
export type DeploymentRecord = {
  id: string;
  appId: string;
  envId: string;
  setId: string;
  previousId?: string;
  status: DeploymentStatus;
  createdBy: string;
  comment?: string;
  error?: string;
  commit?: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Who approved or rejected it (a deployment to an environment whose type requires approval). */
  decidedBy?: string;
  decidedAt?: string;
  /** Why, as the approver or rejecter said. */
  decisionComment?: string;
};

/** @internal */
export type DeploymentNodeRecord = { uid: string; status: NodeStatus; message?: string };

/** @internal */
export type DeploymentLogLine = {
  id: number;
  createdAt: string;
  level: 'info' | 'warn' | 'error';
  uid?: string;
  message: string;
};

/** What a deployment keeps besides its status. @internal */
export type Artifacts = {
  plan?: unknown;
  graph?: unknown;
  diff?: unknown;
  /** Files committed to the GitOps repository, by path inside `<env>/<app>/`. */
  delivered?: Record<string, string>;
  /** What a deployment awaiting approval would deliver, rendered without provisioning. */
  proposed?: ProposedManifests;
};

/** The files a deployment awaiting approval would deliver (as `delivered`), and the nodes whose outputs only provisioning tells. @internal */
export type ProposedManifests = { files: Record<string, string>; knownAfterProvisioning: string[] };

/** Artifacts as stored, from {@link DeploymentStore.encodeArtifacts}. @internal */
export type EncodedArtifacts = { readonly texts: Partial<Record<keyof Artifacts, string>> };

/** A provisioned resource; secret outputs and cookie are ciphertexts here. @internal */
export type ActiveResourceRecord = {
  appId: string;
  envId: string;
  uid: string;
  resId: string;
  type: string;
  class: string;
  guresid: string;
  definitionId: string;
  definitionRevision: number;
  status: 'pending' | 'active' | 'failed' | 'deleting' | 'orphaned';
  outputs: Record<string, unknown>;
  secretOutputs?: string;
  /** The secret outputs' names, sorted (names are not secret); absent on rows stored before they were kept. */
  secretOutputNames?: string[];
  cookie?: string;
  /** Ciphertext of what it was provisioned with (see {@link ProvisionedWith}). */
  provisionedWith?: string;
  deploymentId?: string;
  /** Names of the workloads that use it. */
  workloads?: string[];
  updatedAt: string;
};

/** What an active resource was provisioned with, kept encrypted in `provisionedWith`. @internal */
export type ProvisionedWith = {
  /** The definition's snapshot (see `putDefinitionSnapshots`); rows stored before hold `definition` instead. */
  definitionDigest?: string;
  definition?: import('@baton/backstage-plugin-orchestrator-common').ResourceDefinition;
  params: Record<string, unknown>;
  /** The driver's manifests and the digest of all it was given: a redeployment asking the same keeps the result. */
  manifests?: Record<string, import('@baton/backstage-plugin-orchestrator-node').DriverManifest>;
  provisionedHash?: string;
};

/** A deployment whose backend stopped during it, and what became of it. @internal */
export interface AbandonedDeployment {
  id: string;
  /** The backend that held it, when its lock was still there. */
  owner?: string;
  outcome: 'queued' | 'failed';
  /** How many times a backend stopped during it, this time included. */
  interruptions: number;
}

/**
 * Deployments as a queue: their sets, records and request order, and the
 * per-environment lock that serializes them across backend replicas.
 *
 * @internal
 */
export interface DeploymentQueueStore {
  /** Stores a set (idempotent: the id is its content hash). */
  putSet(set: { id: string; appId: string; content: unknown }): Promise<void>;
  getSet(id: string): Promise<unknown | undefined>;

  createDeployment(d: {
    id: string;
    appId: string;
    envId: string;
    setId: string;
    createdBy: string;
    comment?: string;
    /** `awaiting-approval` stores it without queueing it: {@link DeploymentQueueStore.claimNext} never takes it. */
    status?: 'queued' | 'awaiting-approval';
  }): Promise<DeploymentRecord>;
  /**
   * Cancels the deployments of the environment awaiting approval that were
   * requested before `newer` (a newer request supersedes them); their ids.
   */
  supersedeAwaitingApproval(appId: string, envId: string, newer: string): Promise<string[]>;
  /**
   * Approves (`queued`: the queue runs it) or rejects (`rejected`, terminal)
   * a deployment awaiting approval; false, and nothing written, when it no
   * longer awaits approval.
   */
  decideApproval(id: string, decision: { status: 'queued' | 'rejected'; decidedBy: string; comment?: string }): Promise<boolean>;
  getDeployment(id: string): Promise<DeploymentRecord | undefined>;
  /** Newest first; the cursor is the id of the last item of the previous page. */
  listDeployments(
    appId: string,
    envId: string,
    page: { limit: number; cursor?: string },
  ): Promise<{ items: DeploymentRecord[]; nextCursor?: string }>;
  /** Of every app and environment, newest first, optionally only those of one status; paged like `listDeployments`. */
  listAllDeployments(page: {
    status?: DeploymentStatus;
    limit: number;
    cursor?: string;
  }): Promise<{ items: DeploymentRecord[]; nextCursor?: string }>;
  /** The last succeeded deployment before `before` (or overall). */
  getLastSucceeded(appId: string, envId: string): Promise<DeploymentRecord | undefined>;
  /**
   * Takes the oldest queued deployment of an environment that no one holds
   * the lock of, locks the environment for `owner` and marks it running.
   * Returns undefined when there is nothing to run.
   */
  claimNext(owner: string): Promise<DeploymentRecord | undefined>;
  /** Keeps the lock alive while the deployment runs; false when `owner` no longer holds it. */
  renewLock(deploymentId: string, owner: string): Promise<boolean>;
  /**
   * Sets the final status of a running deployment and releases the
   * environment lock, only while `owner` holds that lock. A terminal status
   * never changes: false (and nothing written) when the deployment is not
   * running or its lock was lost.
   */
  finishDeployment(
    id: string,
    owner: string,
    result: { status: 'succeeded' | 'failed' | 'cancelled'; error?: string; commit?: string; previousId?: string },
  ): Promise<boolean>;
  /**
   * Takes over every running deployment whose lock is older than
   * `staleAfterMs` or held by `owner` (a restarted instance), except the
   * `alive` ones (running in this process): frees the lock and queues the
   * deployment again in its place, or marks it failed once backends stopped
   * during it `maxInterruptions` times.
   */
  takeOverAbandoned(options: { owner?: string; staleAfterMs: number; alive?: string[]; maxInterruptions: number }): Promise<AbandonedDeployment[]>;
  /**
   * A stopping backend gives a running deployment back to the queue (in its
   * place) while `owner` still holds its lock; false otherwise.
   */
  handBack(deploymentId: string, owner: string): Promise<boolean>;
}

/**
 * What a deployment leaves as it runs: its nodes' status, its log and its
 * artifacts (graph, diff, plan, delivered files).
 *
 * @internal
 */
export interface DeploymentProgressStore {
  /** Reads only the named artifacts: plans and graphs are large. */
  getArtifacts<K extends keyof Artifacts>(id: string, keys: K[]): Promise<Pick<Artifacts, K>>;
  setArtifacts(id: string, artifacts: Artifacts): Promise<void>;
  /**
   * Artifacts made ready to store ({@link DeploymentProgressStore.setEncodedArtifacts}):
   * a big app's are megabytes of JSON, so they are encoded while the
   * deployment waits for something else.
   */
  encodeArtifacts(artifacts: Artifacts): Promise<EncodedArtifacts>;
  setEncodedArtifacts(id: string, artifacts: EncodedArtifacts): Promise<void>;

  setNodes(deploymentId: string, nodes: DeploymentNodeRecord[]): Promise<void>;
  /** Node status changes and log lines of a running deployment, in one transaction. */
  recordProgress(
    deploymentId: string,
    progress: { nodes: DeploymentNodeRecord[]; log: { level: DeploymentLogLine['level']; uid?: string; message: string }[] },
  ): Promise<void>;
  listNodes(deploymentId: string): Promise<DeploymentNodeRecord[]>;
  /** How many of a deployment's nodes are in each status. */
  countNodes(deploymentId: string): Promise<Record<string, number>>;
  appendLog(
    deploymentId: string,
    line: { level: DeploymentLogLine['level']; uid?: string; message: string },
  ): Promise<void>;
  readLog(deploymentId: string, after?: number): Promise<DeploymentLogLine[]>;
}

/**
 * The active resources deployments leave behind, and the definitions they
 * were provisioned with.
 *
 * @internal
 */
export interface ResourceStore {
  listResources(appId: string, envId: string): Promise<ActiveResourceRecord[]>;
  /**
   * Across all apps and environments, ordered by (app, env, uid); with
   * `types`, only resources of those types; with `status`, only those in it.
   * Without the drivers' state (`cookie`, `provisionedWith`), which only a
   * deployment reads.
   */
  listAllResources(page: {
    limit: number;
    cursor?: string;
    types?: string[];
    status?: ActiveResourceRecord['status'];
    /** Only this app's resources, and with `env` only that environment's. */
    app?: string;
    env?: string;
  }): Promise<{
    items: ActiveResourceRecord[];
    nextCursor?: string;
  }>;
  getResource(appId: string, envId: string, uid: string): Promise<ActiveResourceRecord | undefined>;
  /**
   * Keeps definitions that resources were provisioned with, by digest
   * (ciphertexts; a digest already kept keeps its row).
   */
  putDefinitionSnapshots(snapshots: { digest: string; definition: string }[]): Promise<void>;
  /** The kept definitions' ciphertexts by digest; digests not kept are absent. */
  getDefinitionSnapshots(digests: string[]): Promise<Map<string, string>>;
  /** Many resources of one deployment, upserted in batches (a transaction per thousand). */
  putResources(resources: Omit<ActiveResourceRecord, 'updatedAt'>[]): Promise<void>;
  setResourceStatus(appId: string, envId: string, uid: string, status: ActiveResourceRecord['status']): Promise<void>;
  setResourceStatuses(appId: string, envId: string, uids: string[], status: ActiveResourceRecord['status']): Promise<void>;
  deleteResource(appId: string, envId: string, uid: string): Promise<void>;
}

/** Every deployment store in one. @internal */
export type DeploymentStore = DeploymentQueueStore & DeploymentProgressStore & ResourceStore;
