// Generated from plugins/orchestrator-backend/src/schema/openapi.yaml by scripts/generate-openapi.js; do not edit.

export type ModelError = {
  error: {
    name: string;
    message: string;
  };
  details?: Array<{
    file?: string;
    line?: number;
    column?: number;
    path?: string;
    message: string;
  }>;
  /** On the impact guard's 409, the active resources the change would re-match */
  impacts?: Array<{
    app: string;
    env: string;
    uid: string;
    /** The definition that provides it now */
    from: string;
    /** The definition that would provide it, or null when none would */
    to: string | null;
  }>;
};

export type EnvironmentType = {
  id: Id;
  name?: string;
  source: 'api' | 'config';
  approval?: ApprovalPolicy;
  createdAt: string;
};

/** Deployments, promotions and rollbacks to environments of the type wait for approval by someone other than their requester who holds orchestrator.deployment.approve on the environment. Absent when the type requires none. */
export type ApprovalPolicy = {
  required: boolean;
  /** Entity refs to tell when a deployment awaits approval (who may approve is the permission's decision) */
  approvers?: Array<string>;
};

export type ApprovalDecision = {
  /** Why it is approved or rejected */
  comment?: string;
};

export type App = {
  id: Id;
  title?: string;
  entityRef?: string;
  repository?: AppRepository;
  /** What the Git watcher follows for the app (GET /apps/{app} only): each repository branch, the environment its pushes deploy to, and the last commit handled */
  watch?: Array<WatchedBranch>;
  createdAt: string;
};

/** The Git repository holding the app's Score files. The Git watcher follows it from the moment it is set: a push to a mapped branch that changes a Score file deploys it to that branch's environment. */
export type AppRepository = {
  /** A remote URL (https, ssh) or a path on the backend's host */
  url: string;
  /** Branch → the environment its pushes deploy to */
  branches: {
    [key: string]: Id;
  };
  /** Globs of Score files (default score.yaml and **\/score.yaml) */
  paths?: Array<string>;
};

export type WatchedBranch = {
  repository: string;
  /** app when the app names the repository, catalog when its catalog entity does (source location and baton.dev/branches), config for orchestrator.gitWatch.repositories */
  source: 'app' | 'config' | 'catalog';
  branch: string;
  environment: string;
  /** The last commit of the branch the watcher handled */
  lastCommit?: string;
};

export type Environment = {
  appId: Id;
  id: Id;
  type: Id;
  deployMode: DeployMode;
  clonedFrom?: string;
  /** Time to live (ISO 8601 duration, e.g. PT2H); the environment is torn down at expiresAt */
  ttl?: string;
  expiresAt?: string;
  /** The pull request or branch a preview environment follows */
  preview?: {
    /** '#42' for a pull or merge request, else the branch */
    source: string;
    branch: string;
    /** The pull request's page */
    url?: string;
  };
  /** Why the environment is being torn down; it takes no deployments meanwhile */
  teardown?:
    | 'expired'
    | 'preview-closed'
    | 'branch-deleted'
    | 'deleted'
    | 'app-deleted';
  createdAt: string;
};

/** gitops commits the rendered manifests to the GitOps repository; direct runs the drivers and hands the manifests to the installed cluster applier, keeping them with the deployment */
export type DeployMode = 'gitops' | 'direct';

export type ResourceDefinitionView = {
  apiVersion: string;
  kind: string;
  metadata: {
    [key: string]: unknown;
  };
  spec: {
    [key: string]: unknown;
  };
  source: 'api' | 'config';
  revision: number;
};

export type Deployment = {
  id: string;
  app?: string;
  env?: string;
  status: DeploymentStatus;
  createdAt: string;
  /** When a runner took the deployment */
  startedAt?: string;
  /** When it succeeded */
  finishedAt?: string;
  /** Who requested it */
  createdBy: string;
  /** Who approved or rejected it (environment types that require approval) */
  decidedBy?: string;
  decidedAt?: string;
  /** Why it was approved or rejected */
  decisionComment?: string;
  comment?: string;
  setId: string;
  previousId?: string;
  error?: string;
  commit?: string;
  nodes?: Array<{
    uid: string;
    status: string;
    message?: string;
  }>;
  /** How many of the deployment's nodes are in each status */
  nodeCounts?: {
    [key: string]: number;
  };
  diff?: {
    [key: string]: unknown;
  };
};

export type ActiveResource = {
  app: string;
  env: string;
  envType?: string;
  workloads?: Array<string>;
  uid: string;
  resId: string;
  type: string;
  class: string;
  guresid: string;
  definition: string;
  status: string;
  outputs: {
    [key: string]: unknown;
  };
  secretOutputs: Array<string>;
  /** What the driver's last run changed, for drivers that report it (the terraform driver's plan summary: apply, destroy, or a drift check's plan). The state itself is never served. */
  lastRun?: {
    operation: 'apply' | 'destroy' | 'plan';
    add: number;
    change: number;
    destroy: number;
    at: string;
  };
};

export type DriftReport = {
  checkedAt: string;
  items: Array<{
    uid: string;
    kind: string;
    detail: string;
  }>;
};

/** awaiting-approval: stored with its plan until someone approves (then queued) or rejects it (rejected); cancelled: superseded by a newer request before it ran */
export type DeploymentStatus =
  | 'awaiting-approval'
  | 'queued'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'rejected';

export type QueuedDeployment = {
  id: string;
  status: DeploymentStatus;
};

export type DeploymentLogLine = {
  id: number;
  createdAt: string;
  level: string;
  uid?: string;
  message: string;
};

/** A driver installed in the backend, as a definition names it in spec.driver */
export type InstalledDriver = {
  id: string;
  /** Without side effects: a dry run runs it to show outputs */
  pure: boolean;
  /** JSON Schema (draft 2020-12) of a definition's spec.driverInputs.values, checked when the definition is saved and again, resolved, at deployment. On saving, a value holding a placeholder may stand for any type, and a key given in spec.driverInputs.secrets counts as present (never as unknown) */
  inputsSchema?: {
    [key: string]: unknown;
  };
};

export type ResourceType = {
  type: string;
  classes: Array<string>;
  definitions: Array<string>;
  description?: string;
};

export type GraphNode = {
  uid: string;
  resId: string;
  type: string;
  class: string;
  /** Id of the definition that matched (built-in ones are baton-default-<type>) */
  definition: string;
  /** The criterion that won, or null for built-in definitions */
  criterion: {
    [key: string]: string;
  } | null;
  /** Uids of the nodes this one needs */
  dependsOn: Array<string>;
};

/** The resource graph of a deployment, nodes in dependency order */
export type Graph = {
  deploymentId: string;
  /** Content hash of the graph (sha256 hex) */
  hash: string;
  nodes: Array<GraphNode>;
};

/** A node of a dry run's plan: the graph node with its outputs (secret ones only as keys) and what a deployment would do to it; a node to delete carries only its identity */
export type PlannedNode = {
  uid: string;
  resId: string;
  type: string;
  class: string;
  definition: string;
  criterion?: {
    [key: string]: string;
  } | null;
  dependsOn?: Array<string>;
  outputs?: {
    [key: string]: unknown;
  };
  secretOutputs?: Array<string>;
  /** Set when the node's driver did not run (side effects wait for deploy) or failed */
  status?: 'not-run' | 'failed' | 'skipped';
  message?: string;
  /** What a deployment would do to it; only in a dry run's plan and that of a deployment awaiting approval */
  action?: 'create' | 'update' | 'none' | 'delete';
};

/** A plan, as the CLI's plan JSON: a dry run's has an action per node, as has the plan a deployment awaiting approval keeps; once a deployment delivered, its stored plan (`GET …/deployments/{id}/plan`) has none */
export type DeploymentPlan = {
  app: string;
  env: string;
  envType: string;
  /** Content hash of the graph (sha256 hex) */
  hash: string;
  nodes: Array<PlannedNode>;
};

export type ExplainCandidate = {
  definition: string;
  criterion: {
    [key: string]: string;
  };
  matched: boolean;
  reason: string;
  /** resId=8, envId=4, appId=2, envType=1, summed */
  rank: number;
};

export type ExplainResult = {
  type: string;
  class: string;
  resId: string;
  context: {
    appId: string;
    envId: string;
    envType: string;
  };
  /** The definition that wins, or null when nothing matches */
  chosen: string | null;
  candidates: Array<ExplainCandidate>;
};

/** A lowercase RFC 1123 label */
export type Id = string;

export type GetHealthResponse = {
  status: 'ok';
};

export type ListEnvironmentTypesResponse = {
  items: Array<EnvironmentType>;
};

export type PutEnvironmentTypeRequest = {
  name?: string;
  approval?: ApprovalPolicy;
};

export type ListAppsResponse = {
  items: Array<App>;
};

export type PutAppRequest = {
  title?: string;
  entityRef?: string;
  /** Without it an existing app keeps its repository; null stops watching */
  repository?: AppRepository | null;
};

export type DeleteApp202Response = {
  teardown: string;
  message: string;
};

export type ListEnvironmentsResponse = {
  items: Array<Environment>;
};

export type PutEnvironmentRequest = {
  type: Id;
  deployMode?: DeployMode;
  cloneFrom?: Id;
  /** Time to live, an ISO 8601 duration (PT2H, P3D; at most a year): the environment expires that long from now, also when set again (extend); null: it never expires; absent: its expiry stays */
  ttl?: string | null;
};

export type DeleteEnvironment202Response = {
  teardown: string;
  message: string;
};

export type ListResourceDefinitionsResponse = {
  items: Array<ResourceDefinitionView>;
};

export type ListResourceTypesResponse = {
  items: Array<ResourceType>;
};

export type ListDeploymentsResponse = {
  items: Array<Deployment>;
  nextCursor?: string;
};

export type CreateDeploymentRequest = {
  /** Score documents, as YAML or JSON strings or as objects */
  workloads: Array<unknown>;
  comment?: string;
  dryRun?: boolean;
};

export type CreateDeployment200Response = {
  plan: DeploymentPlan;
};

export type GetDeploymentLogResponse = {
  lines: Array<DeploymentLogLine>;
};

export type GetDeploymentManifestsResponse = {
  files: {
    [key: string]: string;
  };
  /** true: the manifests the deployment would deliver, rendered from the active resources' outputs; an output only provisioning tells reads `(known after provisioning: resources.<name>.<key>)`. false: delivered. */
  proposed: boolean;
  /** Proposed manifests only; the nodes (uids) whose outputs and manifests only provisioning tells. */
  knownAfterProvisioning?: Array<string>;
};

export type RollbackDeployment200Response = {
  plan: DeploymentPlan;
};

export type PromoteRequest = {
  from: Id;
};

export type Promote200Response = {
  plan: DeploymentPlan;
};

export type ListAllDeploymentsResponse = {
  items: Array<Deployment>;
  nextCursor?: string;
};

export type ListResourcesResponse = {
  items: Array<ActiveResource>;
  nextCursor?: string;
};

export type GetDeliveredSecretResponse = {
  data: {
    [key: string]: string;
  };
};

export type GetDeliveredSecretKeyResponse = {
  value: string;
};

export type GitWebhookResponse = {
  queued: Array<string>;
  /** The preview environments (app/env) a pull request opened or tears down */
  previews?: Array<string>;
  /** Why a pull request event changed nothing */
  ignored?: string;
};
