import { ActiveResourceRecord, DeploymentRecord } from '../../database/DeploymentStore';

/** What a driver's last run of a resource changed (the terraform driver's plan summary). @internal */
export type ResourceRunSummary = {
  operation: 'apply' | 'destroy' | 'plan';
  add: number;
  change: number;
  destroy: number;
  at: string;
};

/** The API view of an active resource: secret outputs only as keys. */
export function resourceView(
  r: ActiveResourceRecord,
  secretKeys: string[],
  envType?: string,
  lastRun?: ResourceRunSummary,
) {
  return {
    app: r.appId,
    env: r.envId,
    ...(envType ? { envType } : {}),
    workloads: r.workloads ?? [],
    uid: r.uid,
    resId: r.resId,
    type: r.type,
    class: r.class,
    guresid: r.guresid,
    definition: r.definitionId,
    status: r.status,
    outputs: r.outputs,
    secretOutputs: secretKeys,
    updatedAt: r.updatedAt,
    ...(lastRun ? { lastRun } : {}),
  };
}

/** The API view of a deployment: `app` and `env` as in the paths. */
export function deploymentView(d: DeploymentRecord) {
  const { appId, envId, ...rest } = d;
  return { app: appId, env: envId, ...rest };
}
