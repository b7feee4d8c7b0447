import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { InputError } from '@backstage/errors';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { promises as fs } from 'node:fs';
import { Document, isMap, isScalar, parseDocument } from 'yaml';
import { resourceVariables } from '@baton/backstage-plugin-orchestrator-common';
import { examples } from './scoreResourceAdd.examples';

const NAME = /^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$/;

/**
 * `baton:score:resource:add`: adds a resource to an existing Score file, or updates
 * it when one of that name exists. The file's comments, key order and
 * formatting are kept (yaml's document API edits the parsed document).
 *
 * @public
 */
export function createScoreResourceAddAction() {
  return createTemplateAction({
    id: 'baton:score:resource:add',
    description: 'Adds (or updates) a resource in a Score file, keeping its comments and formatting',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        path: z =>
          z.string({ description: 'Score file in the workspace (default: score.yaml)' }).optional(),
        name: z => z.string({ description: 'Resource name in the workload' }),
        type: z => z.string({ description: 'Resource type, e.g. postgres or s3' }),
        class: z => z.string({ description: 'Resource class, e.g. large' }).optional(),
        id: z =>
          z.string({ description: 'Shared resource id: workloads naming the same id share one resource' }).optional(),
        params: z => z.record(z.unknown(), { description: 'Resource parameters' }).optional(),
        variables: z =>
          z
            .boolean({
              description:
                "Give every container variables reading a new resource's outputs, e.g. DATABASE_URL for a postgres (default true)",
            })
            .optional(),
      },
      output: {
        path: z => z.string({ description: 'The Score file changed' }),
        added: z => z.boolean({ description: 'false when an existing resource was updated' }),
        variables: z => z.array(z.string(), { description: 'The container variables added' }),
      },
    },
    async handler(ctx) {
      const target = ctx.input.path ?? 'score.yaml';
      const { name, type } = ctx.input;
      if (!NAME.test(name)) {
        throw new InputError(`${target}: resources.${name}: the name must be a lowercase RFC 1123 label`);
      }
      const file = resolveSafeChildPath(ctx.workspacePath, target);
      const text = await fs.readFile(file, 'utf8').catch(() => {
        throw new InputError(`${target}: no such Score file in the workspace`);
      });
      const doc = parseDocument(text);
      if (doc.errors.length) {
        throw new InputError(`${target}: ${doc.errors[0].message}`);
      }
      if (!isMap(doc.contents) || doc.get('apiVersion') !== 'score.dev/v1b1') {
        throw new InputError(`${target}: not a score.dev/v1b1 workload`);
      }

      const resource: Record<string, unknown> = { type };
      if (ctx.input.class) resource.class = ctx.input.class;
      if (ctx.input.id) resource.id = ctx.input.id;
      if (ctx.input.params && Object.keys(ctx.input.params).length) {
        resource.params = ctx.input.params;
      }

      const added = !doc.hasIn(['resources', name]);
      if (!doc.has('resources')) {
        doc.set('resources', doc.createNode({}));
      }
      if (added) {
        doc.setIn(['resources', name], doc.createNode(resource));
      } else {
        // Update in place so comments on the resource survive.
        for (const key of ['type', 'class', 'id', 'params']) {
          const path = ['resources', name, key];
          const value = resource[key];
          const node = doc.getIn(path, true);
          if (value === undefined) doc.deleteIn(path);
          else if (isScalar(node) && typeof value !== 'object') node.value = value;
          else doc.setIn(path, doc.createNode(value));
        }
      }

      const variables = added && (ctx.input.variables ?? true) ? addVariables(doc, name, type) : [];

      await fs.writeFile(file, stringify(doc), 'utf8');
      ctx.logger.info(
        `${added ? 'Added' : 'Updated'} resource ${name} (${type}) in ${target}${
          variables.length ? `; container variables ${variables.join(', ')} read its outputs` : ''
        }`,
      );
      ctx.output('variables', variables);
      ctx.output('path', target);
      ctx.output('added', added);
    },
  });
}

/**
 * Gives every container the conventional variables of the resource's type.
 * A variable a container already has is kept, and the new one is prefixed
 * with the resource name (`CACHE_REDIS_URL`), so a second database does not
 * take over the first one's `DATABASE_URL`.
 */
function addVariables(doc: Document, name: string, type: string): string[] {
  const variables = resourceVariables(type, name);
  const containers = doc.get('containers');
  if (!isMap(containers)) return [];
  const added = new Set<string>();
  for (const container of containers.items) {
    const key = String(isScalar(container.key) ? container.key.value : container.key);
    for (const [variable, value] of Object.entries(variables)) {
      const taken = doc.hasIn(['containers', key, 'variables', variable]);
      const chosen = taken ? `${name.toUpperCase().replace(/-/g, '_')}_${variable}` : variable;
      if (doc.hasIn(['containers', key, 'variables', chosen])) continue;
      if (!doc.hasIn(['containers', key, 'variables'])) doc.setIn(['containers', key, 'variables'], doc.createNode({}));
      doc.setIn(['containers', key, 'variables', chosen], value);
      added.add(chosen);
    }
  }
  return [...added];
}

function stringify(doc: Document): string {
  return doc.toString({ lineWidth: 0 });
}
