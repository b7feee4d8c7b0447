import { PreviousNodeState, TimeSlices } from '@baton/backstage-plugin-orchestrator-node';
import { ActiveResourceRecord, ProvisionedWith } from '../database/DeploymentStore';
import { SecretBox } from '../secrets/SecretBox';

/**
 * What an active resource left for the next deployment: its cookie, and for
 * one still active its outputs, manifests and the digest of what it was
 * provisioned with, so that a node asked the same again keeps them.
 */
function previousState(r: ActiveResourceRecord, secrets: SecretBox): PreviousNodeState {
  // Shared (frozen) values: most of a big app's resources are read unchanged by its next deployment too.
  const cookie = r.cookie ? secrets.decryptShared(r.cookie) : undefined;
  if (r.status !== 'active' || !r.provisionedWith) return { cookie };
  const { manifests, provisionedHash } = secrets.decryptShared<ProvisionedWith>(r.provisionedWith);
  return {
    cookie,
    outputs: r.outputs,
    secrets: r.secretOutputs ? secrets.decryptShared<Record<string, unknown>>(r.secretOutputs) : {},
    manifests,
    provisionedHash,
  };
}

/**
 * The previous state of each active resource, by uid: what a deployment
 * starts from, and what a deployment awaiting approval previews with.
 *
 * @internal
 */
export async function previousStates(active: ActiveResourceRecord[], secrets: SecretBox): Promise<Map<string, PreviousNodeState>> {
  // Three decryptions per resource: tens of thousands in a big app, so in time slices.
  const states = new Map<string, PreviousNodeState>();
  const slices = new TimeSlices();
  for (const r of active) {
    await slices.pause();
    states.set(r.uid, previousState(r, secrets));
  }
  return states;
}
