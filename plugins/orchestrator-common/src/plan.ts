/**
 * One node of a resource graph as `baton plan --output json` prints it and as
 * the REST API returns it. `dependsOn` lists uids; `secretOutputs` lists only
 * the keys of secret outputs, never their values.
 *
 * @public
 */
export interface PlanNode {
  uid: string;
  resId: string;
  type: string;
  class: string;
  /** Id of the definition that matched (built-in ones are `baton-default-<type>`). */
  definition: string;
  /** The criterion that won, or null for built-in definitions. */
  criterion: Record<string, string> | null;
  dependsOn: string[];
  outputs: Record<string, unknown>;
  secretOutputs: string[];
  /** Set when the node's driver did not run (side effects wait for deploy) or failed. */
  status?: 'not-run' | 'failed' | 'skipped';
  message?: string;
}

/** @public */
export interface Plan {
  app: string;
  env: string;
  envType: string;
  /** Content hash of the graph (sha256 hex). */
  hash: string;
  /** Nodes in deterministic topological order (dependencies first). */
  nodes: PlanNode[];
}
