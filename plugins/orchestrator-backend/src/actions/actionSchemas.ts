import type { z as zod } from 'zod/v3';
import { DeploymentRecord } from '../database/DeploymentStore';

// The actions registry hands each schema callback its own zod (v3 API); the
// schemas are built from that one. An output schema also bounds what an
// action answers: the registry parses the output with it and drops every
// field it does not list.

type Zod = typeof zod;

/** The app and environment an action works on. */
export const environmentInput = (z: Zod) => ({
  app: z.string().min(1).describe('App id, e.g. shop'),
  env: z.string().min(1).describe('Environment id of the app, e.g. staging'),
});

/** Score workloads as a deployment request takes them. */
export const workloadsInput = (z: Zod) =>
  z
    .array(z.union([z.string(), z.record(z.unknown())]))
    .min(1)
    .describe('Score files (score.dev/v1b1), each as YAML or JSON text or as an object: every workload of the app');

export const dryRunInput = (z: Zod) =>
  z.boolean().optional().describe('Only plan: answer what would change and deploy nothing (needs only read permission)');

/** One node of a plan: what matched it and what deploying would do to it; secret outputs by key only. */
const planNode = (z: Zod) =>
  z.object({
    uid: z.string(),
    resId: z.string(),
    type: z.string(),
    class: z.string(),
    definition: z.string().describe('Id of the resource definition that matched'),
    criterion: z.record(z.string()).nullable().optional(),
    dependsOn: z.array(z.string()).optional(),
    outputs: z.record(z.unknown()).optional().describe('Plain outputs known before deploying'),
    secretOutputs: z.array(z.string()).optional().describe('Keys of secret outputs; their values are never shown'),
    action: z.enum(['create', 'update', 'none', 'delete']),
    status: z.string().optional(),
    message: z.string().optional(),
  });

export const planOutput = (z: Zod) =>
  z
    .object({
      app: z.string(),
      env: z.string(),
      envType: z.string(),
      hash: z.string().describe('Content hash of the resource graph'),
      nodes: z.array(planNode(z)),
    })
    .describe('The plan: every node of the resource graph with its action');

export const deploymentOutput = (z: Zod) =>
  z.object({
    id: z.string(),
    app: z.string(),
    env: z.string(),
    status: z
      .string()
      .describe('awaiting-approval, queued or running; finished: succeeded, failed, cancelled or rejected'),
    setId: z.string(),
    previousId: z.string().optional(),
    createdBy: z.string(),
    comment: z.string().optional(),
    error: z.string().optional(),
    commit: z.string().optional(),
    createdAt: z.string(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    decidedBy: z.string().optional(),
    decidedAt: z.string().optional(),
    decisionComment: z.string().optional(),
  });

/** What deploy, promote and rollback answer: the plan of a dry run, or the deployment they queued. */
export const requestOutput = (z: Zod) =>
  z.object({
    plan: planOutput(z).optional(),
    deployment: deploymentOutput(z)
      .optional()
      .describe('The deployment requested: queued, or awaiting-approval where the environment type requires approval'),
  });

/** A deployment as the actions answer it: `app` and `env` as in their inputs. */
export function deploymentAnswer(d: DeploymentRecord) {
  const { appId, envId, ...rest } = d;
  return { ...rest, app: appId, env: envId };
}
