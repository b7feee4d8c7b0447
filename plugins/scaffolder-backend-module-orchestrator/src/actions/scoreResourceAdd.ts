import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { InputError } from '@backstage/errors';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { promises as fs } from 'node:fs';
import { Document, isMap, isScalar, parseDocument } from 'yaml';
import { examples } from './scoreResourceAdd.examples';

const NAME = /^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$/;

/**
 * `score:resource:add`: adds a resource to an existing Score file, or updates
 * it when one of that name exists. The file's comments, key order and
 * formatting are kept (yaml's document API edits the parsed document).
 *
 * @public
 */
export function createScoreResourceAddAction() {
  return createTemplateAction({
    id: 'score:resource:add',
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
      },
      output: {
        path: z => z.string({ description: 'The Score file changed' }),
        added: z => z.boolean({ description: 'false when an existing resource was updated' }),
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

      await fs.writeFile(file, stringify(doc), 'utf8');
      ctx.logger.info(`${added ? 'Added' : 'Updated'} resource ${name} (${type}) in ${target}`);
      ctx.output('path', target);
      ctx.output('added', added);
    },
  });
}

function stringify(doc: Document): string {
  return doc.toString({ lineWidth: 0 });
}
