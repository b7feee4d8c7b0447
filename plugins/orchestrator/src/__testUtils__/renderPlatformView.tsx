import { ReactElement } from 'react';
import { mockApis, renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { OrchestratorApi, orchestratorApiRef } from '../api';

/** Renders a view of the plugin against the given client, with every permission allowed or denied, at `path`. */
export function renderPlatformView(
  element: ReactElement,
  options: { api: OrchestratorApi; allow?: boolean; path?: string },
) {
  const permission = mockApis.permission({
    authorize: options.allow === false ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
  });
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [orchestratorApiRef, options.api],
        [permissionApiRef, permission],
      ]}
    >
      {element}
    </TestApiProvider>,
    options.path ? { routeEntries: [options.path] } : undefined,
  );
}
