import { NodeResult, PreviousNodeState } from '../execute';
import { renderApplicationInSlices, RenderApplicationOptions, RenderedApplication } from '../render';
import type { ApplicationPlan } from './planApplication';

/** What a deployment would render, before it provisions anything. @public */
export interface ApplicationPreview {
  rendered: RenderedApplication;
  /** Nodes whose outputs (and manifests) only provisioning tells; what reads them shows a marker. */
  knownAfterProvisioning: string[];
}

/**
 * The results a preview renders from a plan (made with `previous` and
 * `runPastUnknownOutputs`): a node the plan did not run keeps its active
 * resource's outputs and manifests; one that never ran has unknown outputs.
 * A failed or skipped node stays as it is, so rendering names it.
 *
 * @public
 */
export function previewResults(
  planned: Pick<ApplicationPlan, 'results'>,
  previous: Map<string, PreviousNodeState> = new Map(),
): { results: Map<string, NodeResult>; unknown: string[] } {
  const results = new Map<string, NodeResult>();
  const unknown: string[] = [];
  for (const [uid, r] of planned.results) {
    if (r.status !== 'not-run') results.set(uid, r);
    else if (r.previousOutputs) results.set(uid, { ...r, status: 'succeeded', manifests: previous.get(uid)?.manifests });
    else {
      results.set(uid, { ...r, unknownOutputs: true });
      unknown.push(uid);
    }
  }
  return { results, unknown };
}

/**
 * Renders what a deployment would deliver without provisioning: only pure
 * drivers ran for the plan, existing resources show their current outputs
 * and new ones `(known after provisioning: …)` wherever they are read.
 * Throws as {@link renderApplicationInSlices} does.
 *
 * @public
 */
export async function previewApplication(
  planned: ApplicationPlan,
  options: { previous?: Map<string, PreviousNodeState>; render?: RenderApplicationOptions } = {},
): Promise<ApplicationPreview> {
  const { results, unknown } = previewResults(planned, options.previous);
  const rendered = await renderApplicationInSlices({ graph: planned.graph, documents: planned.documents, results }, options.render);
  return { rendered, knownAfterProvisioning: unknown };
}
