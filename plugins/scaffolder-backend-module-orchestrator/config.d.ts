export interface Config {
  orchestrator?: {
    scaffolder?: {
      /**
       * Where `baton:publish:local` creates repositories. Default:
       * `<orchestrator.dataDir>/repositories`.
       */
      repositoriesDir?: string;
    };
  };
}
