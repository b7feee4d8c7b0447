import express, { ErrorRequestHandler } from 'express';
import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { BasicPermission, ResourcePermission } from '@backstage/plugin-permission-common';
import type { ApiRouter } from '@backstage/backend-openapi-utils';
import type { spec } from '../../schema/openapi.generated';
import { AppRecord, EnvironmentRecord, OrchestratorStore } from '../../database/OrchestratorStore';
import { ActiveResourceRecord, DeploymentRecord, DeploymentStore } from '../../database/DeploymentStore';
import { DefinitionService } from '../DefinitionService';
import { DeploymentService } from '../DeploymentService';
import { DriftReconciler } from '../DriftReconciler';
import { GitWatcher } from '../GitWatcher';
import { PreviewEnvironments } from '../PreviewEnvironments';
import type { EnvironmentTeardown } from '../../runner/EnvironmentTeardown';
import { cachedPermissionCheck, DecisionCache } from '../DecisionCache';
import { ResourceRunSummary } from './responseViews';

/** @internal */
export interface RouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  store: OrchestratorStore;
  deploymentStore: DeploymentStore;
  definitions: DefinitionService;
  deploymentService: DeploymentService;
  drift: DriftReconciler;
  gitWatcher: GitWatcher;
  /** Preview environments of pull requests. */
  previews: PreviewEnvironments;
  /** Tears environments down (DELETE of an environment or app, expiry, previews). */
  teardown: Pick<EnvironmentTeardown, 'request' | 'tearDown' | 'deleteApp'>;
  /** `orchestrator.gitWatch.webhookSecret`, read per request so that a change applies at once. */
  webhookSecret?: () => string | undefined;
  /** Permission decisions reused for a moment (`orchestrator.permissionCacheSeconds`), shared with the actions. */
  decisions: DecisionCache;
  /** Lists the keys of an encrypted secret-outputs value. */
  secretKeysOf: (ciphertext: string | undefined) => string[];
  /** The last driver run of those resources that have one, by guresid (never their state). */
  lastRuns?: (resources: ActiveResourceRecord[]) => Promise<Map<string, ResourceRunSummary>>;
  /** Renders every error of the API (Backstage's error body); the plugin's default handler otherwise. */
  errorHandler?: ErrorRequestHandler;
}

/** The router the OpenAPI document types: each route's params, query and body as declared there. */
export type OrchestratorApiRouter = ApiRouter<typeof spec>;

/** What every area's routes are registered with. */
export interface RouteContext {
  router: OrchestratorApiRouter;
  options: RouterOptions;
  /** The caller's credentials once the permission allows what the route does; 403 otherwise. */
  authorize: (
    req: express.Request,
    permission: BasicPermission | ResourcePermission,
    resourceRef?: string,
  ) => Promise<BackstageCredentials>;
  /** The app, or 404. */
  requireApp: (id: string) => Promise<AppRecord>;
  /** The environment, or 404. */
  requireEnvironment: (app: string, env: string) => Promise<EnvironmentRecord>;
  /** The deployment, or 404 when there is none or it belongs to another environment. */
  requireDeployment: (app: string, env: string, id: string) => Promise<DeploymentRecord>;
  /** The body's bytes as received, where they were kept (the git webhook's signature is over them). */
  rawBodyOf: (req: express.Request) => Buffer | undefined;
}

export function createRouteContext(
  options: RouterOptions,
  router: OrchestratorApiRouter,
  rawBodyOf: (req: express.Request) => Buffer | undefined,
): RouteContext {
  const { httpAuth, permissions, store, deploymentStore } = options;
  const check = cachedPermissionCheck(permissions, options.decisions);

  return {
    router,
    options,
    rawBodyOf,

    async authorize(req, permission, resourceRef) {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      await check(credentials, permission, resourceRef);
      return credentials;
    },

    async requireApp(id) {
      const app = await store.getApp(id);
      if (!app) throw new NotFoundError(`No app ${id}`);
      return app;
    },

    async requireEnvironment(app, env) {
      const record = await store.getEnvironment(app, env);
      if (!record) throw new NotFoundError(`No environment ${app}/${env}`);
      return record;
    },

    async requireDeployment(app, env, id) {
      const deployment = await deploymentStore.getDeployment(id);
      if (!deployment || deployment.appId !== app || deployment.envId !== env) {
        throw new NotFoundError(`No deployment ${id} in ${app}/${env}`);
      }
      return deployment;
    },
  };
}
