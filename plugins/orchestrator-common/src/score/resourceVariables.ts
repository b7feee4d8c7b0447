/**
 * The container variables a workload gets for a resource of a type, built
 * from the output keys Score's resource type conventions give that type (the
 * keys score-compose's provisioners and Baton's example definitions
 * provide). `{key}` stands for the resource's output `key`.
 */
const VARIABLES_BY_TYPE: Record<string, Record<string, string>> = {
  postgres: { DATABASE_URL: 'postgresql://{username}:{password}@{host}:{port}/{name}' },
  mysql: { DATABASE_URL: 'mysql://{username}:{password}@{host}:{port}/{name}' },
  mssql: { CONNECTION_STRING: '{connection}' },
  mongodb: { MONGODB_URL: '{connection}' },
  redis: { REDIS_URL: 'redis://{username}:{password}@{host}:{port}' },
  amqp: { AMQP_URL: 'amqp://{username}:{password}@{host}:{port}/{vhost}' },
  elasticsearch: { ELASTICSEARCH_URL: 'http://{username}:{password}@{host}:{port}' },
  s3: {
    S3_BUCKET: '{bucket}',
    S3_ENDPOINT: '{endpoint}',
    S3_REGION: '{region}',
    AWS_ACCESS_KEY_ID: '{aws_access_key_id}',
    AWS_SECRET_ACCESS_KEY: '{aws_secret_key}',
  },
};

/** The resource types {@link resourceVariables} knows. @public */
export const typesWithConventionalVariables = Object.keys(VARIABLES_BY_TYPE);

/**
 * Container variables reading a resource's outputs, e.g. for a postgres
 * named `db`: `DATABASE_URL` assembled from `${resources.db.host}`, `port`,
 * `name`, `username` and `password`. Empty for a type without conventional
 * variables.
 *
 * @public
 */
export function resourceVariables(type: string, resourceName: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(VARIABLES_BY_TYPE[type] ?? {}).map(([variable, value]) => [
      variable,
      value.replace(/\{([a-z_]+)\}/g, (_, key) => `\${resources.${resourceName}.${key}}`),
    ]),
  );
}
