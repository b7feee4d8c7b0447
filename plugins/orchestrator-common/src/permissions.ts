import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Resource type of environment-scoped permissions. The resource ref is
 * `<app>/<env>`; the orchestrator's permission rule `IS_ENVIRONMENT_TYPE`
 * lets a policy decide by environment type (e.g. guard production).
 *
 * @public
 */
export const ORCHESTRATOR_ENVIRONMENT_RESOURCE_TYPE = 'orchestrator-environment';

/** Read apps, environments, deployments, resources and definitions. @public */
export const orchestratorReadPermission = createPermission({
  name: 'orchestrator.read',
  attributes: { action: 'read' },
});

/** Create, roll back or promote deployments into an environment. @public */
export const orchestratorDeploymentCreatePermission = createPermission({
  name: 'orchestrator.deployment.create',
  attributes: { action: 'create' },
  resourceType: ORCHESTRATOR_ENVIRONMENT_RESOURCE_TYPE,
});

/**
 * Approve or reject a deployment waiting for approval in an environment
 * whose type requires it. Never granted to the deployment's own requester.
 *
 * @public
 */
export const orchestratorDeploymentApprovePermission = createPermission({
  name: 'orchestrator.deployment.approve',
  attributes: { action: 'update' },
  resourceType: ORCHESTRATOR_ENVIRONMENT_RESOURCE_TYPE,
});

/** Create, clone and delete apps and environments; deprovision resources. @public */
export const orchestratorEnvironmentManagePermission = createPermission({
  name: 'orchestrator.environment.manage',
  attributes: { action: 'update' },
  resourceType: ORCHESTRATOR_ENVIRONMENT_RESOURCE_TYPE,
});

/** Create, change and delete resource definitions and environment types. @public */
export const orchestratorDefinitionManagePermission = createPermission({
  name: 'orchestrator.definition.manage',
  attributes: { action: 'update' },
});

/** Every permission of the orchestrator. @public */
export const orchestratorPermissions = [
  orchestratorReadPermission,
  orchestratorDeploymentCreatePermission,
  orchestratorDeploymentApprovePermission,
  orchestratorEnvironmentManagePermission,
  orchestratorDefinitionManagePermission,
];
