import type { KubernetesObject, RenderedApplication } from '@baton/backstage-plugin-orchestrator-node';
import type { EnvironmentRecord } from '../database/OrchestratorStore';
import { TimeSlices, toYamlDocuments } from '@baton/backstage-plugin-orchestrator-node';
import { toGitOpsObjects } from '../gitops/gitopsObjects';

/** One deployment's rendered state, ready to be delivered. @internal */
export interface DeliveryRequest {
  deploymentId: string;
  app: string;
  env: string;
  environment: EnvironmentRecord;
  rendered: RenderedApplication;
}

/** @internal */
export interface DeliveryResult {
  /** The GitOps commit, when one was made. */
  commit?: string;
  /** What happened, for the deployment log. */
  message: string;
  /** The files as delivered, by path inside `<env>/<app>/`: secrets only as references. */
  delivered: Record<string, string>;
}

/**
 * Where a deployment's rendered objects go: `gitops` commits them,
 * `direct` hands them to a cluster applier (an environment's `deployMode`).
 *
 * @internal
 */
export interface Delivery {
  /**
   * Does what can be done before the deployment's resources are recorded
   * and nothing anyone sees (the files, the Git objects they are stored
   * as), so that it runs while they are; `deliver` on the result delivers.
   */
  prepare(request: DeliveryRequest): Promise<PreparedDelivery>;
  /**
   * The files it delivers for a rendered app, laid out as `prepare` lays
   * them out (Secrets as references, returned apart), with nothing stored:
   * what a deployment awaiting approval shows it would deliver.
   */
  files(request: Pick<DeliveryRequest, 'app' | 'env' | 'rendered'>): Promise<{ files: Record<string, string>; secrets: KubernetesObject[] }>;
  /**
   * Takes away what it delivered for an app in an environment, when the
   * environment is torn down; what happened, for the log. Safe to run again.
   */
  remove(app: string, env: string, environment: Pick<EnvironmentRecord, 'type'>): Promise<string>;
}

/** A delivery made ready by {@link Delivery.prepare}. @internal */
export interface PreparedDelivery {
  /** The files it delivers (`DeliveryResult.delivered` once delivered). */
  delivered: Record<string, string>;
  deliver(): Promise<DeliveryResult>;
}

/**
 * Each workload's file and Secrets by its rendered objects: a workload
 * rendered as before is given the same (frozen) objects, so its file is
 * not written again.
 */
const workloadFiles = new WeakMap<KubernetesObject[], { app: string; env: string; file: string; secrets: KubernetesObject[] }>();

/**
 * The files of a rendered app (one per workload, plus `resources.yaml`) with
 * every Secret turned into an ExternalSecret reference, and the Secrets
 * themselves, which never go into a file. Written in time slices: a big app
 * has thousands of files.
 *
 * @internal
 */
export async function deliveredFiles(
  rendered: RenderedApplication,
  options: { app: string; env: string },
): Promise<{ files: Record<string, string>; secrets: KubernetesObject[] }> {
  const files: Record<string, string> = {};
  const secrets: KubernetesObject[] = [];
  const slices = new TimeSlices();
  for (const [workload, objects] of Object.entries(rendered.workloads)) {
    await slices.pause();
    let written = workloadFiles.get(objects);
    if (written?.app !== options.app || written.env !== options.env) {
      written = {
        ...options,
        file: toYamlDocuments(toGitOpsObjects(objects, options)),
        secrets: objects.filter(o => o.kind === 'Secret'),
      };
      if (Object.isFrozen(objects)) workloadFiles.set(objects, written);
    }
    secrets.push(...written.secrets);
    files[`${workload}.yaml`] = written.file;
  }
  if (rendered.resources.length) {
    secrets.push(...rendered.resources.filter(o => o.kind === 'Secret'));
    files['resources.yaml'] = toYamlDocuments(toGitOpsObjects(rendered.resources, options));
  }
  return { files, secrets };
}
