/** @internal */
export type EnvironmentTypeRecord = {
  id: string;
  name?: string;
  source: 'api' | 'config';
  /** Deployments to environments of this type wait for someone else's approval. */
  approval?: ApprovalPolicy;
  createdAt: string;
};

/** Whether an environment type's deployments need approval, and whom to tell (entity refs). @internal */
export type ApprovalPolicy = { required: boolean; approvers?: string[] };

/** @internal */
export type AppRecord = {
  id: string;
  title?: string;
  entityRef?: string;
  /** The Git repository holding the app's Score files, which the Git watcher follows. */
  repository?: AppRepository;
  createdAt: string;
};

/** @internal */
export type AppRepository = {
  /** A remote URL, or a path on the backend's host (a bare repository or a working copy). */
  url: string;
  /** Branch → the environment its pushes deploy to. */
  branches: Record<string, string>;
  /** Globs of Score files in the repository (default `score.yaml` and `**\/score.yaml`). */
  paths?: string[];
};

/** @internal */
export type DeployMode = 'gitops' | 'direct';

/** @internal */
export type EnvironmentRecord = {
  appId: string;
  id: string;
  type: string;
  /** `gitops`: commit to the GitOps repository; `direct`: drivers and the cluster applier. */
  deployMode: DeployMode;
  clonedFrom?: string;
  /** ISO 8601 duration the environment lives from when it was last set. */
  ttl?: string;
  /** When it is torn down (ISO time), with a `ttl`. */
  expiresAt?: string;
  /** What a preview environment follows. */
  preview?: PreviewOrigin;
  /** Why it is being torn down; it takes no deployments meanwhile. */
  teardown?: TeardownReason;
  createdAt: string;
};

/** Why an environment is being torn down. @internal */
export type TeardownReason = 'expired' | 'preview-closed' | 'branch-deleted' | 'deleted' | 'app-deleted';

/** The pull request or branch a preview environment follows. @internal */
export type PreviewOrigin = {
  /** `#42` for a pull or merge request, else the branch. */
  source: string;
  repository: string;
  branch: string;
  /** The pull request's page. */
  url?: string;
  /** Where a remote repository's host keeps a pull request's head (`refs/pull/42/head`), fetched instead of the branch. */
  ref?: string;
};

/**
 * Persistent state of the orchestrator: apps, environment types and
 * environments.
 *
 * @internal
 */
export interface OrchestratorStore {
  listEnvironmentTypes(): Promise<EnvironmentTypeRecord[]>;
  getEnvironmentType(id: string): Promise<EnvironmentTypeRecord | undefined>;
  putEnvironmentType(
    type: Pick<EnvironmentTypeRecord, 'id' | 'name' | 'source' | 'approval'>,
  ): Promise<EnvironmentTypeRecord>;
  /** Refuses (ConflictError) while environments of the type exist. */
  deleteEnvironmentType(id: string): Promise<boolean>;

  listApps(): Promise<AppRecord[]>;
  getApp(id: string): Promise<AppRecord | undefined>;
  /** Without `repository` an existing app keeps its repository; `null` removes it. */
  putApp(
    app: Pick<AppRecord, 'id' | 'title' | 'entityRef'> & { repository?: AppRepository | null },
  ): Promise<AppRecord>;
  deleteApp(id: string): Promise<boolean>;

  listEnvironments(appId: string): Promise<EnvironmentRecord[]>;
  getEnvironment(appId: string, id: string): Promise<EnvironmentRecord | undefined>;
  /**
   * Without `deployMode`, an existing environment keeps its mode and a new one
   * is `gitops`. Without `ttl` it keeps its expiry; a `ttl` expires it
   * `ttl` from now (with `expiresAt`); `null` makes it last. `preview` is
   * kept from creation.
   */
  putEnvironment(
    env: Pick<EnvironmentRecord, 'appId' | 'id' | 'type' | 'clonedFrom' | 'preview'> & {
      deployMode?: DeployMode;
      ttl?: { ttl: string; expiresAt: Date } | null;
    },
  ): Promise<EnvironmentRecord>;
  deleteEnvironment(appId: string, id: string): Promise<boolean>;
}
