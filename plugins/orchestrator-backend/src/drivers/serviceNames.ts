/**
 * What the service drivers (postgres, mysql, redis, amqp) name what they
 * create: `b_` plus the resource's guresid as a lowercase identifier, cut to
 * the server's limit.
 *
 * @internal
 */
export function serviceName(guresid: string, maxLength = 255): string {
  return `b_${guresid.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(
    0,
    maxLength,
  );
}

/** `message` with every given secret value replaced by `***` (servers may quote statements and logins). @internal */
export function withoutSecrets(message: string, secrets: unknown[]): string {
  let result = message;
  for (const secret of secrets) {
    if (typeof secret === 'string' && secret)
      result = result.split(secret).join('***');
  }
  return result;
}
