/** @internal */
export type EnvironmentTypeRecord = {
  id: string;
  name?: string;
  source: 'api' | 'config';
  createdAt: string;
};

/** @internal */
export type AppRecord = {
  id: string;
  title?: string;
  entityRef?: string;
  createdAt: string;
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
  createdAt: string;
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
    type: Pick<EnvironmentTypeRecord, 'id' | 'name' | 'source'>,
  ): Promise<EnvironmentTypeRecord>;
  /** Refuses (ConflictError) while environments of the type exist. */
  deleteEnvironmentType(id: string): Promise<boolean>;

  listApps(): Promise<AppRecord[]>;
  getApp(id: string): Promise<AppRecord | undefined>;
  putApp(app: Pick<AppRecord, 'id' | 'title' | 'entityRef'>): Promise<AppRecord>;
  deleteApp(id: string): Promise<boolean>;

  listEnvironments(appId: string): Promise<EnvironmentRecord[]>;
  getEnvironment(appId: string, id: string): Promise<EnvironmentRecord | undefined>;
  /** Without `deployMode`, an existing environment keeps its mode and a new one is `gitops`. */
  putEnvironment(
    env: Pick<EnvironmentRecord, 'appId' | 'id' | 'type' | 'clonedFrom'> & { deployMode?: DeployMode },
  ): Promise<EnvironmentRecord>;
  deleteEnvironment(appId: string, id: string): Promise<boolean>;
}
