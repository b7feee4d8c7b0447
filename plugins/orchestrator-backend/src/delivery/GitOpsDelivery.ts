import { toYamlDocuments } from '@baton/backstage-plugin-orchestrator-node';
import type { DeliveredSecretStore } from '../database/DeliveredSecretStore';
import type { Config } from '@backstage/config';
import { GitOpsRepository, gitopsBranch } from '../gitops/GitOpsRepository';
import { argoApplicationFor, secretStoreFor } from '../gitops/gitopsObjects';
import { SecretBox } from '../secrets/SecretBox';
import { deliveredFiles, Delivery, DeliveryRequest, DeliveryResult } from './Delivery';

/**
 * `gitops` environments: commits `<env>/<app>/` (Secrets as ExternalSecret
 * references, the namespace's SecretStore) and the Argo CD Application, and
 * keeps the Secrets' data, encrypted, for the SecretStore to read.
 *
 * @internal
 */
export class GitOpsDelivery implements Delivery {
  static fromConfig(
    config: Config,
    deps: Pick<GitOpsDelivery['deps'], 'gitops' | 'deliveredSecrets' | 'secrets' | 'baseUrl'> & { dataDir: string },
  ): GitOpsDelivery {
    return new GitOpsDelivery({
      ...deps,
      repoUrl: GitOpsRepository.repoUrlFromConfig(config, deps),
      branch: gitopsBranch(config),
    });
  }

  constructor(
    private readonly deps: {
      gitops: GitOpsRepository;
      deliveredSecrets: DeliveredSecretStore;
      secrets: SecretBox;
      /** Where the SecretStore reaches Baton's secret endpoint. */
      baseUrl: string;
      /** The repository and branch the Argo CD Applications point at. */
      repoUrl: string;
      branch: string;
    },
  ) {}

  async deliver({ deploymentId, app, env, rendered }: DeliveryRequest): Promise<DeliveryResult> {
    const { files, secrets } = await deliveredFiles(rendered, { app, env });
    files['secret-store.yaml'] = toYamlDocuments([secretStoreFor({ namespace: rendered.namespace, baseUrl: this.deps.baseUrl })]);
    await this.deps.deliveredSecrets.replace(
      app,
      env,
      deploymentId,
      secrets.map(s => ({
        name: s.metadata.name,
        data: this.deps.secrets.encrypt(
          Object.fromEntries(
            Object.entries((s.data as Record<string, string>) ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
          ),
        ),
      })),
    );
    const application = argoApplicationFor({ app, env, namespace: rendered.namespace, repoUrl: this.deps.repoUrl, branch: this.deps.branch });
    const commit = await this.deps.gitops.commitAppState({
      app,
      env,
      files,
      extraFiles: { [`argocd/${env}-${app}.yaml`]: toYamlDocuments([application]) },
      message: `Deploy ${app} to ${env}\n\nBaton deployment ${deploymentId}`,
    });
    return {
      commit,
      delivered: files,
      message: commit ? `Committed ${commit.slice(0, 12)} to the GitOps repository` : 'The GitOps repository already had this state',
    };
  }
}
