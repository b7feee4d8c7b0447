export interface Config {
  /** Baton's platform orchestrator. */
  orchestrator?: {
    /**
     * Platform configuration as code: YAML files or directories holding
     * resource definitions (`kind: ResourceDefinition`). Relative paths are
     * resolved from the backend's working directory.
     */
    definitions?: string[];
  };
}
