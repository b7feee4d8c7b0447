import { usePermission } from '@backstage/plugin-permission-react';
import {
  orchestratorDeploymentCreatePermission,
  orchestratorEnvironmentManagePermission,
} from '@baton/backstage-plugin-orchestrator-common';

/**
 * Whether the signed-in user may deploy into, and manage, `<app>/<env>`;
 * both are false until `checked`.
 */
export function useEnvironmentPermissions(app: string, env: string) {
  const resourceRef = `${app}/${env}`;
  const deploy = usePermission({ permission: orchestratorDeploymentCreatePermission, resourceRef });
  const manage = usePermission({ permission: orchestratorEnvironmentManagePermission, resourceRef });
  return { canDeploy: deploy.allowed, canManage: manage.allowed, checked: !deploy.loading && !manage.loading };
}
