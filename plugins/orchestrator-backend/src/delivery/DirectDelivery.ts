import type { ClusterApplier } from '@baton/backstage-plugin-orchestrator-node/extensions';
import type { EnvironmentRecord } from '../database/OrchestratorStore';
import { deliveredFiles, Delivery, DeliveryRequest, DeliveryResult, PreparedDelivery } from './Delivery';

/**
 * `direct` environments: the rendered objects, Secrets included, go to the
 * cluster applier a backend module installed; without one they are only kept
 * with the deployment.
 *
 * @internal
 */
export class DirectDelivery implements Delivery {
  constructor(private readonly applier: ClusterApplier | undefined) {}

  files({ app, env, rendered }: Pick<DeliveryRequest, 'app' | 'env' | 'rendered'>) {
    return deliveredFiles(rendered, { app, env });
  }

  async remove(app: string, env: string, environment: Pick<EnvironmentRecord, 'type'>): Promise<string> {
    if (!this.applier?.remove) {
      return `No installed cluster applier removes objects: what was applied to ${app}/${env} stays in the cluster`;
    }
    await this.applier.remove({ app, env, envType: environment.type });
    return `Removed ${app}/${env} from the cluster`;
  }

  async prepare({ deploymentId, app, env, environment, rendered }: DeliveryRequest): Promise<PreparedDelivery> {
    const { files } = await this.files({ app, env, rendered });
    const applier = this.applier;
    return {
      delivered: files,
      async deliver(): Promise<DeliveryResult> {
        if (!applier) {
          return { delivered: files, message: 'Direct deployment: no cluster applier is installed; the manifests are kept with the deployment' };
        }
        // Copies: rendered objects are shared with later deployments, and an applier may change what it is given.
        const objects = structuredClone([...rendered.resources, ...Object.values(rendered.workloads).flat()]);
        await applier.apply({ app, env, envType: environment.type, namespace: rendered.namespace, deploymentId, objects });
        return { delivered: files, message: `Applied ${objects.length} object(s) to namespace ${rendered.namespace}` };
      },
    };
  }
}
