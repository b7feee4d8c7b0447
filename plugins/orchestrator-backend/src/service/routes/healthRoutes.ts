import { RouteContext } from './RouteContext';

/** GET /health: any user or service token, no permission. */
export function registerHealthRoutes({ router, options }: RouteContext): void {
  router.get('/health', async (req, res) => {
    await options.httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ status: 'ok' });
  });
}
