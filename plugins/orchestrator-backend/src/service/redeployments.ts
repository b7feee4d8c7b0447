import { NotFoundError } from '@backstage/errors';
import { DeploymentRecord, DeploymentStore } from '../database/DeploymentStore';
import { DeploymentService, DeploymentSet } from './DeploymentService';

/** What redeploying a stored set needs: the set and the comment its deployment records. @internal */
export interface Redeployment {
  set: DeploymentSet;
  comment: string;
}

/** Where a rollback or promotion reads its set: the REST routes and the agents' actions share it. @internal */
export interface RedeploymentSources {
  deploymentStore: Pick<DeploymentStore, 'getDeployment' | 'getLastSucceeded'>;
  deploymentService: Pick<DeploymentService, 'getSet'>;
}

/** The deployment, or 404 when there is none or it belongs to another environment. @internal */
export async function deploymentIn(
  { deploymentStore }: Pick<RedeploymentSources, 'deploymentStore'>,
  app: string,
  env: string,
  id: string,
): Promise<DeploymentRecord> {
  const deployment = await deploymentStore.getDeployment(id);
  if (!deployment || deployment.appId !== app || deployment.envId !== env) {
    throw new NotFoundError(`No deployment ${id} in ${app}/${env}`);
  }
  return deployment;
}

/** A rollback of app/env to its deployment `id`: that deployment's set again. @internal */
export async function rollbackTo(sources: RedeploymentSources, app: string, env: string, id: string): Promise<Redeployment> {
  const target = await deploymentIn(sources, app, env, id);
  return { set: await sources.deploymentService.getSet(target.setId), comment: `Rollback to deployment ${id}` };
}

/** A promotion from environment `from` of the app: the set of its last successful deployment. @internal */
export async function promotionFrom(sources: RedeploymentSources, app: string, from: string): Promise<Redeployment> {
  const source = await sources.deploymentStore.getLastSucceeded(app, from);
  if (!source) throw new NotFoundError(`Environment ${app}/${from} has no successful deployment to promote`);
  return { set: await sources.deploymentService.getSet(source.setId), comment: `Promote from ${from} (deployment ${source.id})` };
}
