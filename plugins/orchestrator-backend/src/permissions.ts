import {
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import { PermissionsRegistryService } from '@backstage/backend-plugin-api';
import { ORCHESTRATOR_ENVIRONMENT_RESOURCE_TYPE, orchestratorPermissions } from '@baton/backstage-plugin-orchestrator-common';
import type { OrchestratorStore } from './database/OrchestratorStore';
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

/**
 * Registers the orchestrator's permissions and the environment resource
 * type, so that policies can decide by environment type (`IS_ENVIRONMENT_TYPE`).
 *
 * @internal
 */
export function registerEnvironmentPermissions(
  registry: PermissionsRegistryService,
  store: Pick<OrchestratorStore, 'getEnvironment'>,
) {
  registry.addPermissions(orchestratorPermissions);
  registry.addResourceType({
    resourceRef: environmentResourceRef,
    permissions: orchestratorPermissions.filter(p => p.type === 'resource'),
    rules: [isEnvironmentType],
    getResources: async refs =>
      Promise.all(
        refs.map(async ref => {
          const [app, id] = ref.split('/');
          const found = id ? await store.getEnvironment(app, id) : undefined;
          return found && { app, env: id, envType: found.type };
        }),
      ),
  });
}
