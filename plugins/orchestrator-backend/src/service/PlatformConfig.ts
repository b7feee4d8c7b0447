import { LoggerService } from '@backstage/backend-plugin-api';
import { ValidationError, formatDiagnostic, loadYamlDocuments } from '@baton/backstage-plugin-orchestrator-common';
import fs from 'node:fs';
import path from 'node:path';
import { ApprovalPolicy, DeployMode, OrchestratorStore } from '../database/OrchestratorStore';
import { DefinitionService } from './DefinitionService';

const ID = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Environment types and environments declared in platform configuration files. @internal */
export interface PlatformEnvironments {
  envTypes: { id: string; name?: string; approval?: ApprovalPolicy }[];
  environments: { app: string; id: string; type: string; deployMode?: DeployMode }[];
}

function yamlFiles(target: string): string[] {
  if (!fs.existsSync(target)) return [];
  if (!fs.statSync(target).isDirectory()) return [target];
  return fs
    .readdirSync(target, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap(e => {
      if (e.isDirectory()) return yamlFiles(path.join(target, e.name));
      return /\.ya?ml$/.test(e.name) ? [path.join(target, e.name)] : [];
    });
}

const ENTITY_REF = /^[a-z]+:([^:/]+\/)?[^:/]+$/;

/** `spec.approval` of an EnvironmentType document, or the problem with it. */
function approvalOf(spec: any): ApprovalPolicy | string | undefined {
  const approval = spec?.approval;
  if (approval === undefined) return undefined;
  if (typeof approval?.required !== 'boolean') return 'spec.approval.required must be true or false';
  const approvers = approval.approvers;
  if (approvers !== undefined && !(Array.isArray(approvers) && approvers.every(a => typeof a === 'string' && ENTITY_REF.test(a)))) {
    return 'spec.approval.approvers must list entity refs such as group:default/platform';
  }
  return { required: approval.required, ...(approvers ? { approvers } : {}) };
}

/**
 * Reads `kind: EnvironmentType` (`metadata.id`, `metadata.name`, optional
 * `spec.approval: { required, approvers }`) and
 * `kind: Environment` (`metadata.app`, `metadata.id`, `spec.type`, optional
 * `spec.deployMode`) documents
 * from the platform configuration files.
 *
 * @internal
 */
export function readPlatformEnvironments(paths: string[]): PlatformEnvironments {
  const result: PlatformEnvironments = { envTypes: [], environments: [] };
  const problems: string[] = [];
  for (const file of paths.flatMap(yamlFiles)) {
    const docs = loadYamlDocuments(fs.readFileSync(file, 'utf8'), file) as any[];
    docs.forEach((doc, i) => {
      if (doc?.kind === 'EnvironmentType') {
        const approval = approvalOf(doc.spec);
        if (!ID.test(doc.metadata?.id ?? '')) problems.push(`${file}: document ${i + 1}: metadata.id must be a lowercase RFC 1123 label`);
        else if (typeof approval === 'string') problems.push(`${file}: document ${i + 1}: ${approval}`);
        else result.envTypes.push({ id: doc.metadata.id, name: doc.metadata.name, ...(approval ? { approval } : {}) });
      } else if (doc?.kind === 'Environment') {
        const { app, id } = doc.metadata ?? {};
        const type = doc.spec?.type;
        if (![app, id, type].every(v => ID.test(v ?? ''))) {
          problems.push(`${file}: document ${i + 1}: an Environment needs metadata.app, metadata.id and spec.type (lowercase RFC 1123 labels)`);
        } else if (doc.spec.deployMode !== undefined && !['gitops', 'direct'].includes(doc.spec.deployMode)) {
          problems.push(`${file}: document ${i + 1}: spec.deployMode must be gitops or direct`);
        } else result.environments.push({ app, id, type, deployMode: doc.spec.deployMode });
      }
    });
  }
  if (problems.length) throw new ValidationError(problems.map(message => ({ message })));
  return result;
}

/**
 * Loads platform configuration as code (definitions, environment types,
 * environments) and reloads it when the files change.
 *
 * @internal
 */
export class PlatformConfig {
  private watchers: fs.FSWatcher[] = [];
  private timer?: NodeJS.Timeout;

  /** Loads the files, then reloads them whenever they change. */
  static async loadAndWatch(...args: ConstructorParameters<typeof PlatformConfig>): Promise<PlatformConfig> {
    const platformConfig = new PlatformConfig(...args);
    await platformConfig.load();
    platformConfig.watch();
    return platformConfig;
  }

  constructor(
    private readonly paths: string[],
    private readonly definitions: DefinitionService,
    private readonly store: OrchestratorStore,
    private readonly logger: LoggerService,
  ) {}

  async load(): Promise<void> {
    await this.definitions.load();
    const { envTypes, environments } = readPlatformEnvironments(this.paths);
    for (const t of envTypes) await this.store.putEnvironmentType({ ...t, source: 'config' });
    for (const e of environments) {
      if (!(await this.store.getApp(e.app))) await this.store.putApp({ id: e.app });
      await this.store.putEnvironment({ appId: e.app, id: e.id, type: e.type, deployMode: e.deployMode });
    }
  }

  /** Reloads shortly after any change under the configured paths. */
  watch(): void {
    for (const target of this.paths) {
      if (!fs.existsSync(target)) continue;
      try {
        this.watchers.push(
          fs.watch(target, { recursive: fs.statSync(target).isDirectory() }, () => {
            clearTimeout(this.timer);
            this.timer = setTimeout(() => {
              this.load()
                .then(() => this.logger.info('Reloaded the platform configuration'))
                .catch(error =>
                  this.logger.error(
                    `The platform configuration has problems; keeping the previous one:\n${
                      error instanceof ValidationError ? error.diagnostics.map(formatDiagnostic).join('\n') : error
                    }`,
                  ),
                );
            }, 300);
          }),
        );
      } catch (error) {
        this.logger.warn(`Cannot watch ${target} for changes: ${error}`);
      }
    }
  }

  close(): void {
    clearTimeout(this.timer);
    this.watchers.forEach(w => w.close());
    this.watchers = [];
  }
}
