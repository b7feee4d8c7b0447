import { NotFoundError } from '@backstage/errors';
import { RouteContext } from './RouteContext';

/**
 * Delivered secrets for the External Secrets webhook provider: a whole
 * secret, or one key of it. Only services (the webhook with a static token)
 * read them; no user does, whatever their permissions.
 */
export function registerSecretRoutes({ router, options }: RouteContext): void {
  const { httpAuth, deploymentService } = options;

  router.get('/secrets/:app/:env/:secret', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['service'] });
    const { app, env, secret } = req.params;
    res.json({ data: await deploymentService.deliveredSecret(app, env, secret) });
  });

  router.get('/secrets/:app/:env/:secret/:key', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['service'] });
    const { app, env, secret, key } = req.params;
    const data = await deploymentService.deliveredSecret(app, env, secret);
    if (!Object.hasOwn(data, key)) throw new NotFoundError(`Delivered secret ${app}/${env}/${secret} has no key ${key}`);
    res.json({ value: data[key] });
  });
}
