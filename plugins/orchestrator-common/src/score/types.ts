/**
 * TypeScript shape of a `score.dev/v1b1` workload, after the deprecated array
 * forms of `files` and `volumes` have been upgraded to maps.
 *
 * @public
 */
export interface ScoreWorkload {
  apiVersion: 'score.dev/v1b1';
  metadata: ScoreMetadata;
  service?: { ports?: Record<string, ScoreServicePort> };
  containers: Record<string, ScoreContainer>;
  resources?: Record<string, ScoreResource>;
}

/** @public */
export interface ScoreMetadata {
  name: string;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** @public */
export interface ScoreServicePort {
  port: number;
  protocol?: 'TCP' | 'UDP';
  targetPort?: number;
}

/** @public */
export interface ScoreContainer {
  image: string;
  command?: string[];
  args?: string[];
  variables?: Record<string, string>;
  files?: Record<string, ScoreContainerFile>;
  volumes?: Record<string, ScoreContainerVolume>;
  before?: Record<string, { ready: 'started' | 'healthy' | 'complete' }>;
  resources?: {
    limits?: { memory?: string; cpu?: string };
    requests?: { memory?: string; cpu?: string };
  };
  livenessProbe?: ScoreProbe;
  readinessProbe?: ScoreProbe;
}

/** @public */
export interface ScoreContainerFile {
  mode?: string;
  source?: string;
  content?: string;
  binaryContent?: string;
  noExpand?: boolean;
}

/** @public */
export interface ScoreContainerVolume {
  source: string;
  path?: string;
  readOnly?: boolean;
}

/** @public */
export interface ScoreProbe {
  httpGet?: {
    host?: string;
    scheme?: 'HTTP' | 'HTTPS';
    path: string;
    port: number;
    httpHeaders?: { name: string; value: string }[];
  };
  exec?: { command: string[] };
}

/** @public */
export interface ScoreResource {
  type: string;
  class?: string;
  id?: string;
  metadata?: { annotations?: Record<string, string>; [key: string]: unknown };
  params?: Record<string, unknown>;
}

/**
 * A parsed Score file: the workload plus where it came from (for messages and
 * for resolving `files.*.source` relative to the file).
 *
 * @public
 */
export interface ScoreDocument {
  file: string;
  workload: ScoreWorkload;
  /** The file's YAML text when it was read from one: render-time problems then carry line and column. */
  text?: string;
}
