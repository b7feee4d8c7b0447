import { ApplicationPlan, previewApplication, PreviousNodeState } from '@baton/backstage-plugin-orchestrator-node';
import { ProposedManifests } from '../database/DeploymentStore';
import type { Delivery } from '../delivery/Delivery';

/** How the log line that says why a waiting deployment has no proposed manifests begins. @internal */
export const PROPOSED_MANIFESTS_FAILED = 'The proposed manifests could not be rendered';

/**
 * The manifests a deployment awaiting approval would deliver, rendered from
 * its plan without provisioning (the engine's `previewApplication`) and laid
 * out by the environment's delivery (`files`, as its `prepare` does), Secrets as ExternalSecret references:
 * their file names are the delivered ones, and no secret value is kept.
 * Nothing is committed or applied.
 *
 * @internal
 */
export async function proposedManifests(
  planned: ApplicationPlan,
  previous: Map<string, PreviousNodeState> | undefined,
  target: { app: string; env: string; delivery: Pick<Delivery, 'files'> },
): Promise<ProposedManifests> {
  const preview = await previewApplication(planned, { previous });
  const { files } = await target.delivery.files({ app: target.app, env: target.env, rendered: preview.rendered });
  return { files, knownAfterProvisioning: preview.knownAfterProvisioning };
}
