import { loadYaml } from '@baton/backstage-plugin-orchestrator-common';
import { KubernetesObject, TimeSlices, toYamlDocuments } from '@baton/backstage-plugin-orchestrator-node';
import type { DeliveredSecretStore } from '../database/DeliveredSecretStore';
import type { Config } from '@backstage/config';
import type { DiscoveryService } from '@backstage/backend-plugin-api';
import { GitOpsRepository, gitopsBranch } from '../gitops/GitOpsRepository';
import { argoApplicationFor, secretStoreFor } from '../gitops/gitopsObjects';
import { SecretBox } from '../secrets/SecretBox';
import { deliveredFiles, Delivery, DeliveryRequest, DeliveryResult, PreparedDelivery } from './Delivery';

/**
 * `gitops` environments: commits `<env>/<app>/` (Secrets as ExternalSecret
 * references, the namespace's SecretStore) and the Argo CD Application
 * `argocd/<env>/<app>.yaml`, and keeps the Secrets' data, encrypted, for the
 * SecretStore to read.
 *
 * @internal
 */
export class GitOpsDelivery implements Delivery {
  /**
   * Each Secret's data as encrypted, by the rendered Secret: a workload
   * rendered as before gives the same (frozen) Secret, whose data is then
   * neither encrypted nor stored again.
   */
  readonly #sealed = new WeakMap<KubernetesObject, string>();
  /** Applications moved out of the one flat `argocd/` folder, once per process before its first commit. */
  #layoutMigrated?: Promise<void>;

  /**
   * The SecretStore reaches Baton at `orchestrator.externalSecrets.baseUrl`
   * (from the cluster), else at the backend's own base URL.
   */
  static async fromConfig(
    config: Config,
    deps: Pick<GitOpsDelivery['deps'], 'gitops' | 'deliveredSecrets' | 'secrets' | 'replicas'> & {
      dataDir: string;
      discovery: Pick<DiscoveryService, 'getExternalBaseUrl'>;
    },
  ): Promise<GitOpsDelivery> {
    const { dataDir, discovery, ...rest } = deps;
    const pluginUrl = await discovery.getExternalBaseUrl('orchestrator');
    return new GitOpsDelivery({
      ...rest,
      baseUrl: config.getOptionalString('orchestrator.externalSecrets.baseUrl') ?? pluginUrl.replace(/\/api\/orchestrator$/, ''),
      repoUrl: GitOpsRepository.repoUrlFromConfig(config, { dataDir }),
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
      /** Refuses while another live backend delivers to a different GitOps repository. */
      replicas?: { assertSharedGitOps(): Promise<void> };
    },
  ) {}

  /**
   * Prepared: the files, the Secrets' data encrypted, and the files' blobs in
   * the repository (objects no branch points at until the commit).
   */
  /** The app's files and the namespace's SecretStore, which its ExternalSecrets read through. */
  async files({ app, env, rendered }: Pick<DeliveryRequest, 'app' | 'env' | 'rendered'>) {
    const { files, secrets } = await deliveredFiles(rendered, { app, env });
    files['secret-store.yaml'] = toYamlDocuments([secretStoreFor({ namespace: rendered.namespace, baseUrl: this.deps.baseUrl })]);
    return { files, secrets };
  }

  async prepare({ deploymentId, app, env, rendered }: DeliveryRequest): Promise<PreparedDelivery> {
    const { files, secrets } = await this.files({ app, env, rendered });
    // Thousands of Secrets take long to encrypt: in time slices.
    const stored: { name: string; data: string }[] = [];
    const slices = new TimeSlices();
    for (const s of secrets) {
      await slices.pause();
      let sealed = this.#sealed.get(s);
      if (!sealed) {
        const data = Object.entries((s.data as Record<string, string>) ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]);
        sealed = this.deps.secrets.encrypt(Object.fromEntries(data));
        if (Object.isFrozen(s)) this.#sealed.set(s, sealed);
      }
      stored.push({ name: s.metadata.name, data: sealed });
    }
    const blobs = await this.deps.gitops.storeBlobs(Object.values(files));
    return { delivered: files, deliver: () => this.commit({ deploymentId, app, env, namespace: rendered.namespace, files, stored, blobs }) };
  }

  private async commit(prepared: {
    deploymentId: string;
    app: string;
    env: string;
    namespace: string;
    files: Record<string, string>;
    stored: { name: string; data: string }[];
    blobs: Map<string, string>;
  }): Promise<DeliveryResult> {
    const { deploymentId, app, env, namespace, files, stored, blobs } = prepared;
    await this.deps.replicas?.assertSharedGitOps();
    await this.deps.deliveredSecrets.replace(app, env, deploymentId, stored);
    const application = argoApplicationFor({ app, env, namespace, repoUrl: this.deps.repoUrl, branch: this.deps.branch });
    this.#layoutMigrated ??= this.migrateApplicationLayout();
    await this.#layoutMigrated;
    const commit = await this.deps.gitops.commitAppState({
      app,
      env,
      files,
      blobs,
      extraFiles: { [applicationPath(app, env)]: toYamlDocuments([application]) },
      message: `Deploy ${app} to ${env}\n\nBaton deployment ${deploymentId}`,
    });
    return {
      commit,
      delivered: files,
      message: commit ? `Committed ${commit.slice(0, 12)} to the GitOps repository` : 'The GitOps repository already had this state',
    };
  }

  /**
   * Removes an app's environment from the GitOps repository: its folder
   * `<env>/<app>/` and its Argo CD Application (Argo CD then prunes what it
   * deployed), and the Secrets' data kept for it. Removing what is already
   * gone commits nothing, so it can run again after an interruption.
   */
  async remove(app: string, env: string): Promise<string> {
    await this.deps.replicas?.assertSharedGitOps();
    const commit = await this.deps.gitops.commitAppState({
      app,
      env,
      files: {},
      extraFiles: { [applicationPath(app, env)]: null },
      message: `Remove ${app} from ${env}\n\nThe environment was torn down`,
    });
    await this.deps.deliveredSecrets.replace(app, env, '', []);
    return commit ? `Removed ${env}/${app}/ and its Argo CD Application from the GitOps repository in ${commit.slice(0, 12)}` : `The GitOps repository had nothing of ${app}/${env} left`;
  }

  /**
   * Earlier versions kept every Application in `argocd/<env>-<app>.yaml`, one
   * folder that every commit rewrote whole (thousands of entries with many
   * apps). They move, in one commit, to `argocd/<env>/<app>.yaml`, found by
   * their app and environment labels.
   */
  private async migrateApplicationLayout() {
    const flat = await this.deps.gitops.readFiles('argocd', { nested: false });
    const moves: Record<string, string | null> = {};
    for (const [file, content] of Object.entries(flat)) {
      const labels = (loadYaml(content, `argocd/${file}`) as KubernetesObject | undefined)?.metadata?.labels ?? {};
      const [app, env] = [labels['baton.dev/app'], labels['baton.dev/env']];
      if (!app || !env) continue;
      moves[`argocd/${file}`] = null;
      moves[applicationPath(app, env)] = content;
    }
    if (Object.keys(moves).length) {
      await this.deps.gitops.commitFiles(moves, 'Move Argo CD Applications to argocd/<env>/<app>.yaml');
    }
  }
}

/** Where the Argo CD Application of an app in an environment is committed. */
function applicationPath(app: string, env: string): string {
  return `argocd/${env}/${app}.yaml`;
}
