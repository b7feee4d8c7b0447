import express from 'express';
import { NotFoundError } from '@backstage/errors';
import { createOpenApiRouter } from '../schema/openapi.generated';
import { createRouteContext, RouterOptions } from './routes/RouteContext';
import { bodyWithinBudget, createBodyParsers } from './routes/requestLimits';
import { errorMapping } from './routes/errorMapping';
import { registerHealthRoutes } from './routes/healthRoutes';
import { registerAppRoutes } from './routes/appRoutes';
import { registerDefinitionRoutes } from './routes/definitionRoutes';
import { registerDeploymentRoutes } from './routes/deploymentRoutes';
import { registerApprovalRoutes } from './routes/approvalRoutes';
import { registerResourceRoutes } from './routes/resourceRoutes';
import { registerSecretRoutes } from './routes/secretRoutes';
import { registerWebhookRoutes } from './routes/webhookRoutes';

export type { RouterOptions } from './routes/RouteContext';
export type { ResourceRunSummary } from './routes/responseViews';

/**
 * The orchestrator's REST API under `/api/orchestrator`, built from the
 * OpenAPI document in `src/schema/openapi.yaml` (requests are validated
 * against it). Every route needs a Backstage user or service token and the
 * permission of what it does; each area's routes are in `./routes`.
 *
 * @internal
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const api = express.Router();
  const bodies = createBodyParsers();
  api.use(bodies.parsers);
  const router = await createOpenApiRouter({ middleware: [bodyWithinBudget] });
  api.use(router);

  const context = createRouteContext(options, router, bodies.rawBodyOf);
  registerHealthRoutes(context);
  registerAppRoutes(context);
  registerDefinitionRoutes(context);
  registerDeploymentRoutes(context);
  registerApprovalRoutes(context);
  registerResourceRoutes(context);
  registerSecretRoutes(context);
  registerWebhookRoutes(context);

  // Unknown paths (an empty id such as /apps//envs included) get an error body like every other error.
  api.use((req, _res, next) => next(new NotFoundError(`No route ${req.method} ${req.path}`)));
  api.use(errorMapping);
  if (options.errorHandler) api.use(options.errorHandler);

  return api;
}
