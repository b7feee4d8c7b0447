import { AuthenticationError, InputError } from '@backstage/errors';
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

/** A pull request (GitHub) or merge request (GitLab) opened, pushed to or closed. @internal */
export interface PullRequestEvent {
  kind: 'pull-request' | 'merge-request';
  /** The URLs the event names its repository by. */
  repositories: string[];
  number: number;
  /** `open`: opened, reopened or pushed to; `close`: closed or merged; `other`: nothing previews follow. */
  action: 'open' | 'close' | 'other';
  /** The branch the request would merge. */
  branch: string;
  /**
   * Where the host keeps the request's head in the repository it targets:
   * `refs/pull/<number>/head` (GitHub), `refs/merge-requests/<iid>/head`
   * (GitLab). It is there for a request from a fork too, whose branch is not.
   */
  ref: string;
  /** The request's page. */
  url?: string;
}

/** A verified notification: a push (the repositories to poll; `undefined`: all) or a pull request. @internal */
export type GitWebhookEvent = { kind: 'push'; repositories: string[] | undefined } | PullRequestEvent;

/**
 * Refuses a notification that is not signed with the configured secret:
 * GitHub's `X-Hub-Signature-256` (HMAC-SHA256 of the body) or GitLab's
 * `X-Gitlab-Token`; without a secret configured every notification passes.
 */
function verifySignature(request: GitWebhookRequest, secret?: string): void {
  if (!secret) return;
  const signature = header(request, 'X-Hub-Signature-256');
  const token = header(request, 'X-Gitlab-Token');
  if (signature !== undefined) {
    const expected = `sha256=${createHmac('sha256', secret).update(request.rawBody ?? Buffer.alloc(0)).digest('hex')}`;
    if (!sameSecret(signature, expected)) throw new AuthenticationError('X-Hub-Signature-256 does not match the body');
  } else if (token !== undefined) {
    if (!sameSecret(token, secret)) throw new AuthenticationError('X-Gitlab-Token is not the configured webhook secret');
  } else {
    throw new AuthenticationError('The webhook needs an X-Hub-Signature-256 or X-Gitlab-Token header');
  }
}

type Described = Record<string, unknown> | undefined;

/** GitHub: repository.{clone_url, ssh_url, html_url}; GitLab: project.{git_http_url, git_ssh_url, web_url}. */
function repositoryUrls(body: { repository?: string | Described; project?: Described }): string[] {
  if (typeof body.repository === 'string') return [body.repository];
  return [body.repository, body.project].flatMap(described =>
    ['clone_url', 'ssh_url', 'html_url', 'git_http_url', 'git_ssh_url', 'web_url']
      .map(key => described?.[key])
      .filter((url): url is string => typeof url === 'string' && url.length > 0),
  );
}

const GITHUB_ACTIONS: Record<string, PullRequestEvent['action']> = { opened: 'open', reopened: 'open', synchronize: 'open', closed: 'close' };
const GITLAB_ACTIONS: Record<string, PullRequestEvent['action']> = { open: 'open', reopen: 'open', update: 'open', close: 'close', merge: 'close' };

/**
 * Checks a notification's signature and says what it is about: a push
 * (see {@link pushedRepositories}), a GitHub `pull_request` or a GitLab
 * `Merge Request Hook`. A request without its number or branch is an
 * InputError naming the field.
 *
 * @internal
 */
export function gitWebhookEvent(request: GitWebhookRequest, secret?: string): GitWebhookEvent {
  const githubEvent = header(request, 'X-GitHub-Event');
  const gitlabEvent = header(request, 'X-Gitlab-Event');
  if (githubEvent !== 'pull_request' && gitlabEvent !== 'Merge Request Hook') {
    return { kind: 'push', repositories: pushedRepositories(request, secret) };
  }
  verifySignature(request, secret);
  const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, any>;
  const github = githubEvent === 'pull_request';
  const attributes = (github ? body.pull_request : body.object_attributes) ?? {};
  const number = github ? (body.number ?? attributes.number) : attributes.iid;
  const branch = github ? attributes.head?.ref : attributes.source_branch;
  const field = github ? 'pull_request' : 'object_attributes';
  if (!Number.isInteger(number) || number < 1) {
    throw new InputError(`${github ? 'number' : 'object_attributes.iid'} must be the request's number`);
  }
  if (typeof branch !== 'string' || !branch) {
    throw new InputError(`${github ? `${field}.head.ref` : `${field}.source_branch`} must name the request's branch`);
  }
  const action = (github ? GITHUB_ACTIONS[body.action] : GITLAB_ACTIONS[attributes.action]) ?? 'other';
  const url = github ? attributes.html_url : attributes.url;
  return {
    kind: github ? 'pull-request' : 'merge-request',
    repositories: repositoryUrls(body),
    number,
    action,
    branch,
    ref: github ? `refs/pull/${number}/head` : `refs/merge-requests/${number}/head`,
    ...(typeof url === 'string' ? { url } : {}),
  };
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
  verifySignature(request, secret);
  const body = (request.body && typeof request.body === 'object' ? request.body : {}) as {
    repository?: string | Record<string, unknown>;
    project?: Record<string, unknown>;
  };
  if (githubEvent !== undefined && githubEvent !== 'push') return [];
  if (gitlabEvent !== undefined && gitlabEvent !== 'Push Hook') return [];
  const urls = repositoryUrls(body);
  return urls.length ? urls : undefined;
}
