import { load, CORE_SCHEMA, YAMLException } from 'js-yaml';
import {
  createTemplateRenderer,
  TemplateLimitError,
  TemplateRenderError,
  TemplateRenderer,
  TemplateRenderLimits,
} from 'nunjitsu';
import { Driver, DriverContext, DriverManifest, DriverResult } from '../types';

const SECTIONS = ['init', 'outputs', 'secrets', 'manifests', 'cookie'] as const;
type Section = (typeof SECTIONS)[number];

/** @public */
export interface TemplateDriverOptions {
  /** Wall-clock budget for all templates of one resource (default 1000 ms). */
  timeLimitMs?: number;
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
 * limits and a wall-clock budget per resource.
 *
 * Template inputs: `id` (guresid), `driver.values`, `driver.secrets`,
 * `resource` (type, class, id, params), `context` (app, env, res), `init`,
 * `outputs`, `secrets` and `cookie`.
 *
 * @public
 */
export function createTemplateDriver(options: TemplateDriverOptions = {}): Driver {
  const renderer: TemplateRenderer = createTemplateRenderer({ cookiecutterCompat: true });
  const timeLimitMs = options.timeLimitMs ?? 1000;
  const limits: Partial<TemplateRenderLimits> = { workUnits: 1_000_000, outputCodeUnits: 1_000_000, ...options.limits };

  return {
    id: 'template',
    pure: true,
    inputsSchema: {
      type: 'object',
      required: ['templates'],
      properties: {
        templates: {
          type: 'object',
          additionalProperties: false,
          properties: Object.fromEntries(SECTIONS.map(s => [s, { type: 'string' }])),
        },
      },
    },
    async provision(ctx: DriverContext): Promise<DriverResult> {
      const { templates, ...values } = ctx.inputs as { templates?: Partial<Record<Section, unknown>> };
      if (!templates || typeof templates !== 'object') {
        throw new TemplateDriverError('template driver: driverInputs.values.templates is required (a map of init, outputs, secrets, manifests, cookie)');
      }
      const deadline = Date.now() + timeLimitMs;
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
      const results: Partial<Record<Section, unknown>> = {};
      for (const section of SECTIONS) {
        const source = templates[section];
        if (source === undefined) continue;
        if (typeof source !== 'string') {
          throw new TemplateDriverError(`template '${section}' must be a string`);
        }
        if (ctx.signal.aborted) throw new TemplateDriverError('template rendering was cancelled');
        if (Date.now() > deadline) {
          throw new TemplateDriverError(`templates exceeded the time limit of ${timeLimitMs} ms before '${section}'`);
        }
        let text: string;
        try {
          text = renderer.render(source, data as never, { limits });
        } catch (error) {
          if (error instanceof TemplateLimitError) {
            throw new TemplateDriverError(
              `template '${section}'${error.line ? ` line ${error.line}` : ''}: stopped, ${error.message.replace(/^Template /, '')} (an endless loop or runaway recursion?)`,
            );
          }
          if (error instanceof TemplateRenderError) {
            throw new TemplateDriverError(`template '${section}': ${error.message.replace(/^Template error /, '')}`);
          }
          throw error;
        }
        if (Date.now() > deadline) {
          throw new TemplateDriverError(`template '${section}' exceeded the time limit of ${timeLimitMs} ms`);
        }
        let parsed: unknown;
        try {
          parsed = text.trim() === '' ? {} : load(text, { schema: CORE_SCHEMA });
        } catch (error) {
          const e = error as YAMLException;
          throw new TemplateDriverError(
            `template '${section}' rendered invalid YAML${e.mark ? ` at line ${e.mark.line + 1}` : ''}: ${e.reason}`,
          );
        }
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw new TemplateDriverError(`template '${section}' did not render to a YAML map`);
        }
        results[section] = parsed;
        data[section] = parsed;
      }
      return {
        outputs: (results.outputs as Record<string, unknown>) ?? {},
        secrets: (results.secrets as Record<string, unknown>) ?? {},
        cookie: results.cookie,
        manifests: readManifests(results.manifests),
      };
    },
  };
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
