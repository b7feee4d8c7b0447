import type { KubernetesObject } from '@baton/backstage-plugin-orchestrator-node';

/** The SecretStore each app namespace gets: External Secrets Operator's webhook provider pointed at Baton. */
export const SECRET_STORE_NAME = 'baton';

/**
 * What is committed to Git for a rendered app: every Secret becomes an
 * External Secrets `ExternalSecret` that reads its keys from Baton's secret
 * endpoint through the namespace's `baton` SecretStore, so no secret value is
 * ever committed. Everything else is committed as rendered.
 *
 * @internal
 */
export function toGitOpsObjects(
  objects: KubernetesObject[],
  options: { app: string; env: string },
): KubernetesObject[] {
  return objects.map(object => {
    if (object.apiVersion !== 'v1' || object.kind !== 'Secret') return object;
    const keys = Object.keys({ ...(object.data as object), ...(object.stringData as object) }).sort();
    const { name, namespace, labels, annotations } = object.metadata;
    return {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name, ...(namespace ? { namespace } : {}), labels, annotations },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { kind: 'SecretStore', name: SECRET_STORE_NAME },
        target: { name, creationPolicy: 'Owner' },
        data: keys.map(key => ({
          secretKey: key,
          remoteRef: { key: `${options.app}/${options.env}/${name}`, property: key },
        })),
      },
    };
  });
}

/**
 * The namespace's SecretStore: the webhook provider fetching one key at a
 * time, `<baseUrl>/api/orchestrator/secrets/<app>/<env>/<secret>/<key>`,
 * which answers `{"value": …}`. The key sits in the URL rather than in the
 * JSONPath because Secret keys hold dots (`main.DATABASE_URL`), which a
 * JSONPath reads as nesting. The token is kept in the Kubernetes Secret
 * `baton-secret-store-token` (key `token`), which the platform team creates
 * once per cluster namespace.
 *
 * @internal
 */
export function secretStoreFor(options: { namespace: string; baseUrl: string }): KubernetesObject {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'SecretStore',
    metadata: { name: SECRET_STORE_NAME, namespace: options.namespace },
    spec: {
      provider: {
        webhook: {
          url: `${options.baseUrl}/api/orchestrator/secrets/{{ .remoteRef.key }}/{{ .remoteRef.property }}`,
          result: { jsonPath: '$.value' },
          headers: { Authorization: 'Bearer {{ .auth.token }}' },
          secrets: [{ name: 'auth', secretRef: { name: 'baton-secret-store-token' } }],
        },
      },
    },
  };
}

/** The Argo CD Application that syncs `<env>/<app>/` into the app's namespace. @internal */
export function argoApplicationFor(options: {
  app: string;
  env: string;
  namespace: string;
  repoUrl: string;
  branch: string;
}): KubernetesObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: `${options.app}-${options.env}`,
      namespace: 'argocd',
      labels: { 'app.kubernetes.io/managed-by': 'baton', 'baton.dev/app': options.app, 'baton.dev/env': options.env },
    },
    spec: {
      project: 'default',
      source: { repoURL: options.repoUrl, targetRevision: options.branch, path: `${options.env}/${options.app}` },
      destination: { server: 'https://kubernetes.default.svc', namespace: options.namespace },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
    },
  };
}
