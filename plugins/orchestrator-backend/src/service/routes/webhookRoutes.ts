import { gitWebhookEvent } from '../gitWebhook';
import { RouteContext } from './RouteContext';

/**
 * POST /webhooks/git: a push or pull request notification. A push only
 * triggers a poll of the watched repositories it names; a pull request
 * opens, keeps or tears down its preview environments, then the branch is
 * polled. Nothing in the body is deployed. With a webhook secret configured
 * it must be signed (over the body's bytes).
 */
export function registerWebhookRoutes({ router, options, rawBodyOf }: RouteContext): void {
  router.post('/webhooks/git', async (req, res) => {
    const event = gitWebhookEvent({ headers: req.headers, rawBody: rawBodyOf(req), body: req.body }, options.webhookSecret?.());
    if (event.kind === 'push') {
      res.status(202).json({ queued: await options.gitWatcher.poll(event.repositories) });
      return;
    }
    const previews = await options.previews.pullRequest(event);
    if (previews.action === 'other') {
      res.status(202).json({ queued: [], previews: [], ignored: `Previews follow opened, reopened, pushed to and closed requests only` });
      return;
    }
    const queued = previews.action === 'open' ? await options.gitWatcher.poll(previews.repositories) : [];
    res.status(202).json({ queued, previews: previews.environments });
  });
}
