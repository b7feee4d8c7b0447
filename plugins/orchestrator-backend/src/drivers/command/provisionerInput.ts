import type { DriverContext } from '@baton/backstage-plugin-orchestrator-node';
import type { CommandInputs } from './commandInputs';
import { isObject } from './jsonValues';

/** What the driver keeps between runs (the backend stores cookies encrypted). */
export interface CommandCookie {
  resource_state: Record<string, unknown>;
  shared_state: Record<string, unknown>;
}

/** The document a score-k8s `cmd://` provisioner reads on stdin (score-k8s `provisioners.Input`). */
interface ProvisionerInput {
  resource_guid: string;
  resource_uid: string;
  resource_type: string;
  resource_class: string;
  resource_id: string;
  resource_params: Record<string, unknown>;
  resource_metadata: Record<string, unknown>;
  source_workload: string;
  workload_metadata: Record<string, unknown>;
  workload_services: Record<string, unknown>;
  namespace: string;
  resource_state: Record<string, unknown>;
  shared_state: Record<string, unknown>;
}

/** score-k8s's resource id for a Baton resId: `shared.X` → `X`, `modules.W.externals.R` → `W.R`. */
function scoreResource(resId: string): { id: string; workload: string } {
  const shared = /^shared\.(.+)$/.exec(resId);
  if (shared) return { id: shared[1], workload: '' };
  const external = /^modules\.([^.]+)\.externals\.([^.]+)$/.exec(resId);
  if (external) return { id: `${external[1]}.${external[2]}`, workload: external[1] };
  return { id: resId, workload: '' };
}

/** The document the command reads on stdin. */
export function provisionerInput(ctx: DriverContext, inputs: CommandInputs, cookie: CommandCookie): ProvisionerInput {
  const { type, class: resClass, resId, params } = ctx.resource;
  const { id, workload } = scoreResource(resId);
  return {
    resource_guid: ctx.guresid,
    resource_uid: `${type}.${resClass}#${id}`,
    resource_type: type,
    resource_class: resClass,
    resource_id: id,
    resource_params: params ?? {},
    // Baton's drivers are not given the Score resource's metadata nor the other workloads' services.
    resource_metadata: {},
    source_workload: workload,
    workload_metadata: workload ? { name: workload } : {},
    workload_services: {},
    namespace: inputs.namespace ?? `${ctx.context.app.id}-${ctx.context.env.id}`,
    resource_state: cookie.resource_state,
    shared_state: cookie.shared_state,
  };
}

/** The state kept by the last run; empty maps on the first one. */
export function readCookie(cookie: unknown): CommandCookie {
  const c = (isObject(cookie) ? cookie : {}) as Partial<CommandCookie>;
  return {
    resource_state: isObject(c.resource_state) ? c.resource_state : {},
    shared_state: isObject(c.shared_state) ? c.shared_state : {},
  };
}
