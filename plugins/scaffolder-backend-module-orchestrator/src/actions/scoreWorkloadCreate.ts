import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { InputError } from '@backstage/errors';
import {
  formatDiagnostic,
  ScoreWorkload,
  validateScoreWorkload,
} from '@baton/backstage-plugin-orchestrator-common';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { examples } from './scoreWorkloadCreate.examples';

/**
 * `baton:score:create`: writes a valid `score.yaml` into the workspace.
 * Input that would make an invalid Score file is refused with the engine's
 * validation messages.
 *
 * @public
 */
export function createScoreWorkloadCreateAction() {
  return createTemplateAction({
    id: 'baton:score:create',
    description: 'Writes a Score workload file (score.dev/v1b1) into the workspace',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z =>
          z.string({ description: 'Workload name (lowercase RFC 1123 label)' }),
        image: z => z.string({ description: 'Container image' }),
        containerName: z =>
          z
            .string({ description: 'Container name (default: main)' })
            .optional(),
        ports: z =>
          z
            .array(
              z.object({
                name: z.string(),
                port: z.number().int(),
                targetPort: z.number().int().optional(),
                protocol: z.enum(['TCP', 'UDP']).optional(),
              }),
              { description: 'Service ports' },
            )
            .optional(),
        variables: z =>
          z
            .record(z.string(), {
              description: 'Environment variables; values may hold placeholders',
            })
            .optional(),
        resources: z =>
          z
            .array(
              z.object({
                name: z.string(),
                type: z.string(),
                class: z.string().optional(),
                id: z.string().optional(),
                params: z.record(z.unknown()).optional(),
              }),
              { description: 'Resources the workload needs' },
            )
            .optional(),
        targetPath: z =>
          z
            .string({
              description: 'Path of the file in the workspace (default: score.yaml)',
            })
            .optional(),
      },
      output: {
        path: z => z.string({ description: 'Workspace-relative path written' }),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const workload: ScoreWorkload = {
        apiVersion: 'score.dev/v1b1',
        metadata: { name: input.name },
        containers: {
          [input.containerName ?? 'main']: {
            image: input.image,
            ...(input.variables && Object.keys(input.variables).length
              ? { variables: input.variables }
              : {}),
          },
        },
      };
      if (input.ports?.length) {
        workload.service = {
          ports: Object.fromEntries(
            input.ports.map(({ name, ...port }) => [name, port]),
          ),
        };
      }
      if (input.resources?.length) {
        workload.resources = Object.fromEntries(
          input.resources.map(({ name, ...resource }) => [name, resource]),
        );
      }

      const target = input.targetPath ?? 'score.yaml';
      const diagnostics = validateScoreWorkload(workload, target);
      if (diagnostics.length) {
        throw new InputError(
          `The Score file would be invalid:\n${diagnostics.map(formatDiagnostic).join('\n')}`,
        );
      }

      const absolute = path.resolve(ctx.workspacePath, target);
      if (!absolute.startsWith(path.resolve(ctx.workspacePath) + path.sep)) {
        throw new InputError(`targetPath ${target} is outside the workspace`);
      }
      await fs.mkdir(path.dirname(absolute), { recursive: true });
      await fs.writeFile(absolute, yaml.stringify(workload), 'utf8');
      ctx.logger.info(`Wrote ${target} for workload ${input.name}`);
      ctx.output('path', target);
    },
  });
}
