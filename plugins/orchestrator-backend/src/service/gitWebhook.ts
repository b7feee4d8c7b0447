import { AuthenticationError } from '@backstage/errors';
import { createHmac, timingSafeEqual } from 'node:crypto';

/** A push notification as it reaches `POST /webhooks/git`. @internal */
export interface GitWebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as received: GitHub signs these bytes. */
  rawBody?: Buffer;
  body: unknown;
}

function header(request: GitWebhookRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Checks a push notification and names the repositories it is about
 * (`undefined`: every watched repository). GitHub push events are verified
 * with `X-Hub-Signature-256` (HMAC-SHA256 of the body), GitLab push hooks
 * with `X-Gitlab-Token`; with a secret configured, a request carrying
 * neither is refused too. Events other than pushes name no repository.
 *
 * @internal
 */
export function pushedRepositories(request: GitWebhookRequest, secret?: string): string[] | undefined {
  const githubEvent = header(request, 'X-GitHub-Event');
  const gitlabEvent = header(request, 'X-Gitlab-Event');
  const signature = header(request, 'X-Hub-Signature-256');
  const token = header(request, 'X-Gitlab-Token');
  if (secret) {
    if (signature !== undefined) {
      const expected = `sha256=${createHmac('sha256', secret).update(request.rawBody ?? Buffer.alloc(0)).digest('hex')}`;
      if (!sameSecret(signature, expected)) throw new AuthenticationError('X-Hub-Signature-256 does not match the body');
    } else if (token !== undefined) {
      if (!sameSecret(token, secret)) throw new AuthenticationError('X-Gitlab-Token is not the configured webhook secret');
    } else {
      throw new AuthenticationError('The webhook needs an X-Hub-Signature-256 or X-Gitlab-Token header');
    }
  }

  const body = (request.body && typeof request.body === 'object' ? request.body : {}) as {
    repository?: string | Record<string, unknown>;
    project?: Record<string, unknown>;
  };
  if (githubEvent !== undefined && githubEvent !== 'push') return [];
  if (gitlabEvent !== undefined && gitlabEvent !== 'Push Hook') return [];
  if (typeof body.repository === 'string') return [body.repository];
  // GitHub: repository.{clone_url, ssh_url, html_url}; GitLab: project.{git_http_url, git_ssh_url, web_url}.
  const urls = [body.repository, body.project].flatMap(described =>
    ['clone_url', 'ssh_url', 'html_url', 'git_http_url', 'git_ssh_url', 'web_url']
      .map(key => described?.[key])
      .filter((url): url is string => typeof url === 'string' && url.length > 0),
  );
  return urls.length ? urls : undefined;
}
