import express from 'express';
import { HttpAuthService } from '@backstage/backend-plugin-api';
import { createOpenApiRouter } from '../schema/openapi.generated';

/** @internal */
export interface RouterOptions {
  httpAuth: HttpAuthService;
}

/**
 * The orchestrator's REST API under `/api/orchestrator`, built from the
 * OpenAPI document in `src/schema/openapi.yaml` (requests are validated
 * against it). Every route needs a Backstage user or service token.
 *
 * @internal
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth } = options;
  const router = await createOpenApiRouter();

  router.get('/health', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ status: 'ok' });
  });

  return router;
}
