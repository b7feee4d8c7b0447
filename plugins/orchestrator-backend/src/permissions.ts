import {
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import { ORCHESTRATOR_ENVIRONMENT_RESOURCE_TYPE } from '@baton/backstage-plugin-orchestrator-common';
import { z } from 'zod';

/** What a permission policy sees of an environment. @internal */
export interface EnvironmentResource {
  app: string;
  env: string;
  envType: string;
}

/** @internal */
export interface EnvironmentQuery {
  envType: string;
}

/** @internal */
export const environmentResourceRef = createPermissionResourceRef<
  EnvironmentResource,
  EnvironmentQuery
>().with({
  pluginId: 'orchestrator',
  resourceType: ORCHESTRATOR_ENVIRONMENT_RESOURCE_TYPE,
});

/**
 * Lets a policy decide by environment type, e.g. allow deployments to
 * production only for the platform team.
 *
 * @internal
 */
export const isEnvironmentType = createPermissionRule({
  name: 'IS_ENVIRONMENT_TYPE',
  description: 'Allow when the environment is of the given type',
  resourceRef: environmentResourceRef,
  paramsSchema: z.object({
    envType: z.string().describe('Environment type, e.g. production'),
  }),
  apply: (resource, { envType }) => resource.envType === envType,
  toQuery: ({ envType }) => ({ envType }),
});

/** `<app>/<env>`: the resource ref of an environment. @internal */
export function environmentResourceId(app: string, env: string): string {
  return `${app}/${env}`;
}
