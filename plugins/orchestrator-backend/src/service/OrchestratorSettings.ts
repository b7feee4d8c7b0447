import type { Config } from '@backstage/config';
import os from 'node:os';
import path from 'node:path';

/** A configuration value the backend cannot start with; the message starts with its key. @public */
export class SettingsError extends Error {
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`${key}: ${problem}`);
    this.name = 'SettingsError';
  }
}

/**
 * The orchestrator's settings that decide where its state lives and how
 * replicas share work, read once at startup.
 *
 * @public
 */
export interface OrchestratorSettings {
  /** `orchestrator.dataDir`, absolute. */
  dataDir: string;
  /** `orchestrator.definitions`, absolute; an entry may list several paths separated by ':'. */
  definitionPaths: string[];
  /** How often a running deployment renews its environment lock. */
  leaseRenewMs: number;
  /** A lock not renewed for this long belongs to a stopped backend: its run is taken over. */
  takeoverMs: number;
}

const DEFAULT_LEASE_RENEW_SECONDS = 3;
const DEFAULT_TAKEOVER_SECONDS = 10;

/**
 * Reads and checks the settings. In development relative paths resolve
 * against the working directory; in production (`NODE_ENV=production`) a
 * relative path is refused, since a bundle's working directory is rarely
 * where the configuration file is, and production must name its secret
 * key and GitOps remote: replicas would otherwise each keep their own.
 *
 * @public
 */
export function readOrchestratorSettings(config: Config, nodeEnv = process.env.NODE_ENV): OrchestratorSettings {
  const production = nodeEnv === 'production';
  const absolute = (key: string, value: string, variable: string) => {
    if (production && !path.isAbsolute(value)) {
      throw new SettingsError(key, `'${value}' is a relative path; production needs an absolute one: set ${variable} (app-config.production.yaml)`);
    }
    return path.resolve(value);
  };

  const dataDirValue = config.getOptionalString('orchestrator.dataDir');
  if (production && !dataDirValue) {
    throw new SettingsError('orchestrator.dataDir', 'is required in production (BATON_DATA_DIR in app-config.production.yaml)');
  }
  const dataDir = dataDirValue ? absolute('orchestrator.dataDir', dataDirValue, 'BATON_DATA_DIR') : path.join(os.tmpdir(), 'baton');

  const definitionPaths = (config.getOptionalStringArray('orchestrator.definitions') ?? [])
    .flatMap(entry => entry.split(path.delimiter))
    .filter(entry => entry.trim())
    .map(entry => absolute('orchestrator.definitions', entry.trim(), 'BATON_DEFINITIONS'));
  if (production && !definitionPaths.length) {
    throw new SettingsError('orchestrator.definitions', 'is required in production (BATON_DEFINITIONS in app-config.production.yaml)');
  }
  if (production && !config.getOptionalString('orchestrator.secrets.key')) {
    throw new SettingsError(
      'orchestrator.secrets.key',
      'is required in production, the same on every replica (BATON_SECRET_KEY: base64 of 32 random bytes, e.g. `openssl rand -base64 32`)',
    );
  }
  if (production && !config.getOptionalString('orchestrator.gitops.url')) {
    throw new SettingsError(
      'orchestrator.gitops.url',
      'is required in production: the repository Argo CD syncs and every replica delivers to (BATON_GITOPS_URL)',
    );
  }

  const seconds = (key: string, fallback: number) => {
    const value = config.getOptionalNumber(key) ?? fallback;
    if (!(value > 0)) throw new SettingsError(key, `must be a positive number of seconds, not ${value}`);
    return value * 1000;
  };
  const leaseRenewMs = seconds('orchestrator.deployments.leaseRenewSeconds', DEFAULT_LEASE_RENEW_SECONDS);
  const takeoverMs = seconds('orchestrator.deployments.takeoverSeconds', DEFAULT_TAKEOVER_SECONDS);
  if (takeoverMs < 2 * leaseRenewMs) {
    throw new SettingsError(
      'orchestrator.deployments.takeoverSeconds',
      `must be at least twice orchestrator.deployments.leaseRenewSeconds (${leaseRenewMs / 1000}), or a slow renewal looks like a stopped backend`,
    );
  }
  return { dataDir, definitionPaths, leaseRenewMs, takeoverMs };
}
