import { hash as sha } from 'node:crypto';
import { checkDriverInputs } from '../drivers/checkDriverInputs';
import { DriverRegistry } from '../drivers/DriverRegistry';
import { Driver, DriverLogger, DriverManifest } from '../drivers/types';
import { canonicalJson, GraphNode, ResourceGraph } from '../graph';
import {
  ResourceOutputs,
  scoreLookup,
  substituteValue,
  SubstitutionError,
} from '../placeholders';
import { TimeSlices } from '../timeSlices';
import { keepSecretsSecret, redact, withinSize } from './driverResultChecks';
import { resolveDriverInputs } from './resolveDriverInputs';

/** What happened to one node. @public */
export interface NodeResult {
  uid: string;
  status: 'succeeded' | 'failed' | 'skipped' | 'not-run';
  outputs: Record<string, unknown>;
  secrets: Record<string, unknown>;
  cookie?: unknown;
  manifests?: Record<string, DriverManifest>;
  /** Why it failed, was skipped or not run; never holds a secret value. */
  message?: string;
  /** `not-run` nodes whose outputs are the previous deployment's. */
  previousOutputs?: boolean;
  /** Outputs that only provisioning tells (a preview renders a marker for each one read). */
  unknownOutputs?: boolean;
  /** The resolved params a succeeded node was provisioned with (may hold secrets: kept encrypted). */
  params?: Record<string, unknown>;
  /**
   * A digest of everything the driver was given (driver, definition, params,
   * inputs, secrets): equal digests mean the driver would be asked the same
   * again. Derived from secrets, so kept as secret as they are.
   */
  provisionedHash?: string;
  /** Succeeded with the previous deployment's result: provisioned with the same as then, the driver was not called. */
  unchanged?: boolean;
}

/** A node's state from the previous deployment. @public */
export interface PreviousNodeState {
  cookie?: unknown;
  outputs?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
  /** Its manifests and {@link NodeResult.provisionedHash}: with these, a node provisioned with the same again keeps its result. */
  manifests?: Record<string, DriverManifest>;
  provisionedHash?: string;
}

/** @public */
export interface NodeEvent {
  uid: string;
  status: 'running' | NodeResult['status'];
  message?: string;
  /** Succeeded with its previous result (see {@link NodeResult.unchanged}). */
  unchanged?: boolean;
}

/** @public */
export interface ExecuteGraphOptions {
  graph: ResourceGraph;
  drivers: DriverRegistry;
  /**
   * What the previous deployment left for each node, by uid: the cookie is
   * given back to the driver; in `pureOnly` mode the outputs of a node whose
   * driver is not run stand in for it, so that its dependents can still plan.
   */
  previous?: Map<string, PreviousNodeState>;
  /** Only run pure drivers (plan): other nodes are `not-run`. */
  pureOnly?: boolean;
  /**
   * With `pureOnly`: a node not run, without previous outputs, does not stop
   * its dependents; a pure dependent still runs unless it reads that node's
   * outputs (then it is not run either). What a preview of the rendered
   * manifests needs: a workload definition's manifests beside a new database.
   */
  runPastUnknownOutputs?: boolean;
  concurrency?: number;
  signal?: AbortSignal;
  logger?: DriverLogger;
  onNodeEvent?: (event: NodeEvent) => void | Promise<void>;
}

/** How large a driver's result may be, counted as characters of JSON. */
const MAX_RESULT_SIZE = 16_000_000;

const silentLogger: DriverLogger = { info() {}, warn() {}, error() {}, debug() {} };

/**
 * Provisions a resource graph in dependency order, independent nodes
 * concurrently (bounded). Each node's `driverInputs` are resolved from the
 * outputs of the nodes it references; an input value that reads a secret
 * output is passed to the driver among its secrets, never its plain inputs.
 * A failed node stops only what depends on it (`skipped`): independent
 * nodes still run, since what they make is needed by the next attempt as
 * well. Results keep every node already provisioned. Each driver's log lines
 * carry the node's uid (`meta.uid`), so that the deployment log shows them.
 *
 * @public
 */
export async function executeGraph(options: ExecuteGraphOptions): Promise<Map<string, NodeResult>> {
  const { graph, drivers } = options;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const signal = options.signal ?? new AbortController().signal;
  const logger = options.logger ?? silentLogger;
  const results = new Map<string, NodeResult>();
  const waiting = new Map<string, number>();
  const dependents = new Map<string, GraphNode[]>();
  // Pure drivers resolve at once: without pauses a big graph would run as one task.
  const slices = new TimeSlices();
  for (const node of graph.nodes) {
    // An await per node cost more than the loop's work: a pause only when the slice is over.
    if (slices.due()) await slices.pause();
    waiting.set(node.uid, node.dependsOn.length);
    for (const d of node.dependsOn) {
      let list = dependents.get(d);
      if (!list) dependents.set(d, (list = []));
      list.push(node);
    }
  }
  // A queue read from `head`: shift() on an array of thousands copies it each time.
  const ready: GraphNode[] = graph.nodes.filter(n => n.dependsOn.length === 0);
  let head = 0;
  let running = 0;

  const outputsOf = (ref: { type: string; class: string; resId: string }): ResourceOutputs | undefined => {
    const r = results.get(`${ref.type}.${ref.class}#${ref.resId}`);
    return r && usable(r) ? { outputs: r.outputs, secrets: r.secrets } : undefined;
  };

  const finish = (node: GraphNode, result: NodeResult) => {
    results.set(node.uid, result);
    for (const dependent of dependents.get(node.uid) ?? []) {
      const left = waiting.get(dependent.uid)! - 1;
      waiting.set(dependent.uid, left);
      if (left === 0) ready.push(dependent);
    }
  };

  const fail = (node: GraphNode, message: string): NodeResult => {
    logger.error(`${node.uid}: ${message}`);
    return { uid: node.uid, status: 'failed', outputs: {}, secrets: {}, message };
  };

  /** Not run, when a preview ran past a dependency whose outputs only provisioning tells. */
  const readsUnknown = (node: GraphNode): NodeResult | undefined => {
    const unknown = options.runPastUnknownOutputs ? node.dependsOn.find(d => isUnknown(results.get(d)!)) : undefined;
    return unknown ? { uid: node.uid, status: 'not-run', outputs: {}, secrets: {}, message: `reads outputs of ${unknown}, known after provisioning` } : undefined;
  };

  const runNode = async (node: GraphNode): Promise<NodeResult> => {
    const blocked = node.dependsOn
      .map(d => results.get(d)!)
      .find(r => !usable(r) && !(options.runPastUnknownOutputs && isUnknown(r)));
    if (blocked) {
      return {
        uid: node.uid,
        status: blocked.status === 'not-run' ? 'not-run' : 'skipped',
        outputs: {},
        secrets: {},
        message: `${blocked.uid} ${blocked.status === 'not-run' ? 'was not run' : blocked.status}`,
      };
    }
    if (signal.aborted) {
      return { uid: node.uid, status: 'skipped', outputs: {}, secrets: {}, message: 'cancelled' };
    }
    const definition = node.match.loaded.definition;
    const available = drivers.get(definition.spec.driver);
    if (options.pureOnly && !available?.pure) {
      const why = available
        ? `driver ${available.id} has side effects; it runs on deploy`
        : `driver ${definition.spec.driver} is not available here; it runs on deploy`;
      const previous = options.previous?.get(node.uid);
      if (previous?.outputs) {
        return {
          uid: node.uid,
          status: 'not-run',
          outputs: previous.outputs,
          secrets: previous.secrets ?? {},
          message: `${why} (outputs of the last deployment shown)`,
          previousOutputs: true,
        };
      }
      return { uid: node.uid, status: 'not-run', outputs: {}, secrets: {}, message: why };
    }
    let driver: Driver;
    try {
      driver = drivers.forDefinition(definition);
    } catch (error) {
      return fail(node, (error as Error).message);
    }
    let inputs: Record<string, unknown>;
    let secrets: Record<string, unknown>;
    let params = node.params;
    if (node.paramsSource) {
      const source = node.paramsSource;
      try {
        params = substituteValue(
          node.params,
          scoreLookup({
            metadata: source.metadata,
            resources: Object.fromEntries(
              Object.entries(source.resources).map(([name, uid]) => {
                const r = results.get(uid);
                return [name, { outputs: r?.outputs ?? {}, secrets: r?.secrets ?? {} }];
              }),
            ),
          }),
        ).value as Record<string, unknown>;
      } catch (error) {
        const problems = error instanceof SubstitutionError ? error.problems.join('; ') : (error as Error).message;
        return readsUnknown(node) ?? fail(node, `params: ${problems}`);
      }
    }
    try {
      ({ inputs, secrets } = resolveDriverInputs(
        definition,
        { app: graph.app, env: graph.env, envType: graph.envType, resource: node },
        outputsOf,
        { verbatim: driver.verbatimInputs },
      ));
    } catch (error) {
      const problems = error instanceof SubstitutionError ? error.problems.join('; ') : (error as Error).message;
      return readsUnknown(node) ?? fail(node, `definition ${definition.metadata.id}: driverInputs: ${problems}`);
    }
    const schemaProblem = checkInputs(driver, inputs);
    if (schemaProblem) {
      return fail(node, `definition ${definition.metadata.id}: driverInputs.values${schemaProblem}`);
    }
    const provisionedHash = provisionHash(driver.id, definition, params, inputs, secrets);
    const before = options.previous?.get(node.uid);
    if (before?.provisionedHash === provisionedHash && before.outputs) {
      // Asked the same as last time: its result stands, without calling the driver.
      return {
        uid: node.uid,
        status: 'succeeded',
        outputs: before.outputs,
        secrets: before.secrets ?? {},
        cookie: before.cookie,
        manifests: before.manifests,
        params,
        provisionedHash,
        unchanged: true,
        message: 'unchanged',
      };
    }
    await options.onNodeEvent?.({ uid: node.uid, status: 'running' });
    try {
      const result = await driver.provision({
        guresid: node.guresid,
        resource: { uid: node.uid, type: node.type, class: node.class, resId: node.resId, params },
        context: { app: { id: graph.app }, env: { id: graph.env, type: graph.envType } },
        inputs,
        secrets,
        cookie: options.previous?.get(node.uid)?.cookie,
        signal,
        logger: nodeLogger(logger, node.uid),
      });
      // Checked here, before the node counts as succeeded: what is too large
      // would only fail later, when stored or sent.
      if (!withinSize(result, MAX_RESULT_SIZE)) {
        return fail(node, `${driver.id} driver: its result is larger than ${MAX_RESULT_SIZE} characters as JSON`);
      }
      return {
        uid: node.uid,
        status: 'succeeded',
        ...keepSecretsSecret(result, secrets),
        cookie: result.cookie,
        manifests: result.manifests,
        params,
        provisionedHash,
      };
    } catch (error) {
      return fail(node, redact(`${driver.id} driver: ${(error as Error).message}`, secrets));
    }
  };

  await new Promise<void>((resolve, reject) => {
    function start(node: GraphNode) {
      running++;
      runNode(node)
        .then(async result => {
          running--;
          finish(node, result);
          if (options.onNodeEvent) {
            await options.onNodeEvent({ uid: node.uid, status: result.status, message: result.message, ...(result.unchanged ? { unchanged: true } : {}) });
          }
          if (slices.due()) await slices.pause();
          pump();
        })
        .catch(reject);
    }
    function pump() {
      if (results.size === graph.nodes.length) {
        resolve();
        return;
      }
      while (running < concurrency && head < ready.length) {
        start(ready[head++]);
      }
    }
    pump();
  });
  return results;
}

/** A logger whose lines name the node they are about. */
function nodeLogger(logger: DriverLogger, uid: string): DriverLogger {
  return {
    info: (m, meta) => logger.info(m, { ...meta, uid }),
    warn: (m, meta) => logger.warn(m, { ...meta, uid }),
    error: (m, meta) => logger.error(m, { ...meta, uid }),
    debug: (m, meta) => logger.debug(m, { ...meta, uid }),
  };
}

/** Definitions are shared by many nodes: each is serialized once. */
const definitionDigests = new WeakMap<object, string>();

function provisionHash(driver: string, definition: object, params: unknown, inputs: unknown, secrets: unknown): string {
  let digest = definitionDigests.get(definition);
  if (!digest) {
    digest = sha('sha256', canonicalJson(definition)!, 'hex');
    definitionDigests.set(definition, digest);
  }
  // One-shot: a Hash object per node cost more than the hashing.
  return sha('sha256', canonicalJson({ driver, definition: digest, params, inputs, secrets })!, 'hex');
}

/** A node not run whose outputs no earlier deployment left. */
function isUnknown(result: NodeResult): boolean {
  return result.status === 'not-run' && !result.previousOutputs;
}

/** Whether a node's outputs can be read by its dependents. */
function usable(result: NodeResult): boolean {
  return result.status === 'succeeded' || result.previousOutputs === true;
}

/** The resolved inputs' schema problems, as text that follows `driverInputs.values`. */
function checkInputs(driver: Driver, inputs: Record<string, unknown>): string | undefined {
  const [first, ...others] = checkDriverInputs(driver, inputs, [], { resolved: true });
  if (!first) return undefined;
  return [`${first.path.slice('values'.length)}: ${first.message}`, ...others.map(p => `driverInputs.${p.path}: ${p.message}`)].join('; ');
}
