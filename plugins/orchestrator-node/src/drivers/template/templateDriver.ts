import { isDeepStrictEqual } from 'node:util';
import type { TemplateRenderLimits } from 'nunjitsu';
import { isSecretDataPath, SECRET_PLACEMENT_HINT } from '../secretManifests';
import { Driver, DriverContext, DriverManifest, DriverResult } from '../types';
import { TemplateJob, TemplateJobError, TemplateJobReply, TemplateJobStopped, templateWorkerPool } from './TemplateWorkerPool';
import type * as TemplateWorkerModule from './templateWorker';

// Required at run time through the package, as the worker pool finds it: the production
// bundle would otherwise have to read the plain-JavaScript worker as an ES module.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isPlainSubstitution, renderTemplateJob }: typeof TemplateWorkerModule = require(
  require.resolve('@baton/backstage-plugin-orchestrator-node/templateWorker.js'),
);

const SECTIONS = ['init', 'outputs', 'secrets', 'manifests', 'cookie'] as const;
type Section = (typeof SECTIONS)[number];
const SECTION_DESCRIPTIONS: Record<Section, string> = {
  init: 'Values the other sections read as init.',
  outputs: "The resource's outputs; one that derives from a secret becomes a secret output.",
  secrets: "The resource's secret outputs.",
  manifests: 'Kubernetes objects by name: {location: namespace|cluster|containers|volumes, data}.',
  cookie: 'What the next deployment of the resource reads as cookie.',
};

/** @public */
export interface TemplateDriverOptions {
  /** Wall-clock budget for all templates of one resource (default 1000 ms). */
  timeLimitMs?: number;
  /** Heap budget of the worker process rendering the templates (default 128 MB). */
  memoryLimitMb?: number;
  /** How far YAML aliases in a rendered section may expand (default 100). */
  maxAliasCount?: number;
  /** Per-template interpreter limits; the work units bound CPU deterministically. */
  limits?: Partial<TemplateRenderLimits>;
}

/** Thrown for a template problem; the message names the section and line. @public */
export class TemplateDriverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateDriverError';
  }
}

/**
 * `template`: nunjucks templates (standard `{{ }}` syntax) in
 * `driverInputs.values.templates`, rendered in the order init → outputs →
 * secrets → manifests → cookie, each then parsed as YAML, later ones seeing
 * the earlier results. Templates run in nunjitsu, a closed interpreter: no
 * access to process, env, files, network or the JavaScript object graph
 * (`constructor`, `__proto__` are refused), with work, depth and output
 * limits, in a worker process with a heap limit that is killed when the
 * resource's wall-clock budget runs out, and YAML aliases bounded. Small
 * templates of text and `{{ a.b }}` lookups only, which cannot loop or
 * allocate without bound, render in the calling thread with the same code.
 *
 * Anything derived from a secret (`driver.secrets`, the `secrets` section)
 * stays secret: an output that does becomes a secret output, a manifest
 * value that does must be in a v1 Secret's `data` or `stringData`. What
 * derives from a secret is found by rendering a second time with the secret
 * values replaced and comparing.
 *
 * Template inputs: `id` (guresid), `driver.values`, `driver.secrets`,
 * `resource` (type, class, id, params), `context` (app, env, res), `init`,
 * `outputs`, `secrets` and `cookie`.
 *
 * @public
 */
export function createTemplateDriver(options: TemplateDriverOptions = {}): Driver {
  const timeLimitMs = options.timeLimitMs ?? 1000;
  const memoryLimitMb = options.memoryLimitMb ?? 128;
  const maxAliasCount = options.maxAliasCount ?? 100;
  const limits = { workUnits: 1_000_000, outputCodeUnits: 1_000_000, ...options.limits } as Record<string, number>;

  return {
    id: 'template',
    pure: true,
    inputsSchema: {
      type: 'object',
      description: 'Nunjucks templates rendered in a sandbox, each then read as YAML; every other value is given to them as driver.values.',
      required: ['templates'],
      properties: {
        templates: {
          type: 'object',
          description: 'The templates by section, rendered in this order, each seeing the results of the earlier ones.',
          additionalProperties: false,
          properties: Object.fromEntries(SECTIONS.map(s => [s, { type: 'string', description: SECTION_DESCRIPTIONS[s] }])),
        },
      },
    },
    async provision(ctx: DriverContext): Promise<DriverResult> {
      const { templates, ...values } = ctx.inputs as { templates?: Partial<Record<Section, unknown>> };
      if (!templates || typeof templates !== 'object') {
        throw new TemplateDriverError('template driver: driverInputs.values.templates is required (a map of init, outputs, secrets, manifests, cookie)');
      }
      for (const [section, source] of Object.entries(templates)) {
        if (typeof source !== 'string') throw new TemplateDriverError(`template '${section}' must be a string`);
      }
      if (ctx.signal.aborted) throw new TemplateDriverError('template rendering was cancelled');
      const data: Record<string, unknown> = {
        id: ctx.guresid,
        driver: { values, secrets: ctx.secrets },
        resource: {
          type: ctx.resource.type,
          class: ctx.resource.class,
          id: ctx.resource.resId,
          uid: ctx.resource.uid,
          params: ctx.resource.params,
        },
        context: {
          app: ctx.context.app,
          env: ctx.context.env,
          res: {
            id: ctx.resource.resId,
            guresid: ctx.guresid,
            type: ctx.resource.type,
            class: ctx.resource.class,
          },
        },
        cookie: ctx.cookie ?? {},
        init: {},
        outputs: {},
        secrets: {},
      };
      const taint = Object.keys(ctx.secrets).length > 0 || templates.secrets !== undefined;
      const job: TemplateJob = { templates: templates as Record<string, string>, data, limits, maxAliasCount, taint };
      let reply = renderInThisThread(job);
      try {
        reply ??= await templateWorkerPool(memoryLimitMb).run(job, timeLimitMs, ctx.signal);
      } catch (error) {
        if (!(error instanceof TemplateJobStopped)) throw error;
        if (error.reason === 'cancelled') throw new TemplateDriverError('template rendering was cancelled');
        const where = error.section ? `template '${error.section}'` : 'templates';
        const limit = { time: `the time limit of ${timeLimitMs} ms`, memory: `the memory limit of ${memoryLimitMb} MB` };
        throw new TemplateDriverError(
          error.reason === 'crashed' ? `${where} ${error.message}` : `${where} exceeded ${limit[error.reason]}`,
        );
      }
      if (reply.error) throw new TemplateDriverError(describeError(reply.error));
      const { rendered, substituted } = reply;
      const manifests = readManifests(rendered.manifests);
      const outputs = { ...rendered.outputs };
      const secrets = { ...rendered.secrets };
      if (substituted) {
        for (const key of secretDerivedOutputs(rendered.outputs, substituted.outputs)) {
          if (Object.hasOwn(secrets, key)) {
            throw new TemplateDriverError(`template 'outputs': ${key} derives from a secret and is also a key of the secrets section`);
          }
          secrets[key] = outputs[key];
          delete outputs[key];
        }
        checkManifestSecrets(manifests ?? {}, rendered.manifests, substituted.manifests);
      }
      // The cookie may hold secrets: it is encrypted at rest and never shown.
      return { outputs, secrets, cookie: rendered.cookie, manifests };
    },
  };
}

/** Templates longer than this, or rendering to more text, are left to a worker. */
const IN_THREAD_SOURCE_LENGTH = 16_384;
const IN_THREAD_TEXT_LENGTH = 65_536;

/**
 * Templates of text and plain lookups cannot loop or allocate without bound:
 * rendered here with the worker's own code, they skip the round trip to the
 * worker process, which on a big plan is what the run waits for.
 */
function renderInThisThread(job: TemplateJob): TemplateJobReply | undefined {
  const sources = Object.values(job.templates);
  let length = 0;
  for (const source of sources) length += source.length;
  if (length > IN_THREAD_SOURCE_LENGTH || !sources.every(isPlainSubstitution)) return undefined;
  return renderTemplateJob(job, { maxTextLength: IN_THREAD_TEXT_LENGTH });
}

function describeError(error: TemplateJobError): string {
  const where = error.section ? `template '${error.section}'` : 'templates';
  const why = error.substituted ? ' (in the render with secret values replaced, which finds what derives from them)' : '';
  switch (error.kind) {
    case 'limit':
      return `${where}${error.line ? ` line ${error.line}` : ''}: stopped, ${error.message} (an endless loop or runaway recursion?)${why}`;
    case 'yaml':
      return `${where} rendered invalid YAML${error.line ? ` at line ${error.line}` : ''}: ${error.message}${why}`;
    case 'aliases':
    case 'shape':
      return `${where} ${error.message}${why}`;
    default:
      return `${where}: ${error.message}${why}`;
  }
}

/** Output keys whose values change with the secret values. */
function secretDerivedOutputs(rendered: Record<string, unknown> = {}, substituted: Record<string, unknown> = {}): string[] {
  if (!isDeepStrictEqual(Object.keys(rendered), Object.keys(substituted))) {
    throw new TemplateDriverError(`template 'outputs': which keys it renders depends on a secret value`);
  }
  return Object.keys(rendered).filter(key => !isDeepStrictEqual(rendered[key], substituted[key]));
}

/** Refuses a manifest value that changes with the secret values unless it is where secrets may go. */
function checkManifestSecrets(manifests: Record<string, DriverManifest>, rendered: unknown, substituted: unknown) {
  for (const path of differences(rendered, substituted, [])) {
    const [name, data, ...inObject] = path;
    if (!(Object.hasOwn(manifests, name) && data === 'data' && isSecretDataPath(manifests[name], inObject))) {
      // A template using the `random` filter changes between renders too: refused the same way.
      throw new TemplateDriverError(`template 'manifests': ${path.join('.')} derives from a secret (or is random); ${SECRET_PLACEMENT_HINT}`);
    }
  }
}

/** Paths at which two rendered values differ, in value or in shape. */
function differences(a: unknown, b: unknown, path: string[]): string[][] {
  const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((item, i) => differences(item, b[i], [...path, String(i)]));
  }
  if (isMap(a) && isMap(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap(key => (key in a && key in b ? differences(a[key], b[key], [...path, key]) : [[...path, key]]));
  }
  return a === b ? [] : [path];
}

function readManifests(value: unknown): Record<string, DriverManifest> | undefined {
  if (value === undefined) return undefined;
  const manifests: Record<string, DriverManifest> = {};
  for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
    const m = entry as Partial<DriverManifest> | null;
    if (!m || typeof m !== 'object' || !['namespace', 'cluster', 'containers', 'volumes'].includes(m.location as string)) {
      throw new TemplateDriverError(`template 'manifests': ${name}.location must be namespace, cluster, containers or volumes`);
    }
    if (!m.data || typeof m.data !== 'object' || Array.isArray(m.data)) {
      throw new TemplateDriverError(`template 'manifests': ${name}.data must be a map (a Kubernetes object)`);
    }
    manifests[name] = { location: m.location as DriverManifest['location'], data: m.data as Record<string, unknown> };
  }
  return manifests;
}
