import { pushedRepositories } from '../gitWebhook';
import { RouteContext } from './RouteContext';

/**
 * POST /webhooks/git: a push notification. It only triggers a poll of the
 * watched repositories it names; nothing in the body is deployed. With a
 * webhook secret configured it must be signed (over the body's bytes).
 */
export function registerWebhookRoutes({ router, options, rawBodyOf }: RouteContext): void {
  router.post('/webhooks/git', async (req, res) => {
    const repositories = pushedRepositories(
      { headers: req.headers, rawBody: rawBodyOf(req), body: req.body },
      options.webhookSecret?.(),
    );
    res.status(202).json({ queued: await options.gitWatcher.poll(repositories) });
  });
}
