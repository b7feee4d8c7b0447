export interface Config {
  /** Baton's platform orchestrator. */
  orchestrator?: {
    /**
     * Folder for the orchestrator's local state: the generated encryption key
     * (when none is configured), the local GitOps repository and Terraform's
     * working folders. Default: `<tmp>/baton`. A relative path resolves
     * against the working directory; with NODE_ENV=production it must be
     * absolute, and it is required.
     */
    dataDir?: string;
    /**
     * Platform configuration as code: YAML files or folders of environments
     * and resource definitions (`kind: ResourceDefinition`). An entry may
     * list several paths separated by ':'. Relative paths resolve against the
     * working directory; with NODE_ENV=production they must be absolute, and
     * at least one is required.
     */
    definitions?: string[];
    secrets?: {
      /**
       * AES-256 key (32 bytes, base64) that encrypts secret outputs, driver
       * state and definition secrets at rest, the same on every replica.
       * Default: a key generated in `dataDir/secret.key`; required with
       * NODE_ENV=production.
       * @visibility secret
       */
      key?: string;
    };
    /**
     * Seconds a permission decision is reused for the same user, permission
     * and environment, by the REST routes and the actions alike; a policy
     * change takes effect after this. Default: 5;
     * 0 asks the permission policy on every request.
     */
    permissionCacheSeconds?: number;
    /** The deployment runner of this backend instance. */
    deployments?: {
      /**
       * How many deployments (each of a different environment) run at once
       * in this instance; one environment never runs two. Default: 4.
       */
      concurrency?: number;
      /**
       * Worker threads that render workloads (Kubernetes objects and their
       * schema validation) beside the backend's event loop. Default: the
       * cores less two (one for the event loop, one for the database), at
       * most 4; 0 renders in the backend's own thread, in time slices.
       */
      renderWorkers?: number;
      /**
       * How many independent resources of one deployment are provisioned at
       * once; a failed one stops only what depends on it. Default: 4.
       */
      nodeConcurrency?: number;
      /** Seconds between renewals of a running deployment's environment lock. Default: 3. */
      leaseRenewSeconds?: number;
      /**
       * Seconds without a renewal after which a deployment's backend counts
       * as stopped: another backend queues the deployment again and runs it
       * from the start (at most three interruptions, then it fails). At least
       * twice `leaseRenewSeconds`. Default: 10, so a crashed replica's run is
       * taken over within about 12 s.
       */
      takeoverSeconds?: number;
    };
    /** Settings of the built-in drivers, which reach outside the backend, and what they may do. */
    drivers?: {
      /** The `terraform` driver (Terraform or OpenTofu modules). */
      terraform?: {
        /** The binary, a name on PATH or a path. Default: `tofu` when it is on PATH, otherwise `terraform`. */
        binary?: string;
        /** Time limit of one Terraform command (init, apply, plan, destroy). Default: 1800. */
        timeoutSeconds?: number;
        /**
         * Seconds a state lock lasts unless its run renews it; the lock of a
         * backend that stopped during a run is broken after this. Default: 30.
         */
        lockLeaseSeconds?: number;
      };
      /** The `command` driver, which runs score-k8s `cmd://` provisioners. */
      command?: {
        /**
         * Executables a definition may run, checked when it is saved and when
         * it runs: absolute paths, or patterns of them where `*` and `?` match
         * within one folder and `**` across folders (e.g.
         * `/opt/provisioners/**`). A command given by name is looked up on the
         * backend's PATH and checked as the path found. Allowing an interpreter
         * (`/usr/bin/bash`) allows every script a definition passes it.
         * Default: none.
         */
        allow?: string[];
        /**
         * Seconds a run may take; then its processes are killed (SIGTERM,
         * SIGKILL 3 s later). A definition may ask for less. Default: 60.
         */
        timeoutSeconds?: number;
      };
    };
    /**
     * Stack traces (the server's file paths) in the API's error bodies.
     * Default: only when NODE_ENV is development.
     */
    showStackTraces?: boolean;
    /** The scheduled drift check of every environment. */
    drift?: {
      /** Minutes between checks. Default: 5. */
      intervalMinutes?: number;
      /** Revert drift (provision again, commit back). Default: true. */
      revert?: boolean;
    };
    /**
     * Notifications to the owners of an app's catalog entity (deployment
     * failed, drift, approvals, previews, expiry), through Backstage's
     * notifications backend.
     */
    notifications?: {
      /** Send them. Default: true. */
      enabled?: boolean;
    };
    /** Environments with a time to live (`ttl` of `PUT /apps/{app}/envs/{env}`). */
    environments?: {
      /**
       * Seconds between checks for environments that expire soon (announced
       * once, when less than an hour or a tenth of the time to live is left)
       * or expired (torn down). Default: 30.
       */
      expiryCheckSeconds?: number;
    };
    /**
     * Preview environments `pr-<number>` (pull and merge request webhooks) or
     * `pr-<branch>` (branches of local watched repositories), of type `preview`.
     */
    previews?: {
      /** Globs of the local repositories' branches that get a preview. Default: `preview/*`. */
      branches?: string | string[];
      /** The environment a preview is cloned from (its deploy mode). Default: `development`. */
      cloneFrom?: string;
      /** Time to live of a preview (ISO 8601 duration), from its opening or last pull request event. Default: `P3D`. */
      ttl?: string;
    };
    /** Repositories whose Score files are deployed when a commit changes them. */
    gitWatch?: {
      /** Seconds between polls. Default: 10. The webhook route polls at once. */
      intervalSeconds?: number;
      /**
       * Secret of the push webhook (`POST /api/orchestrator/webhooks/git`): GitHub
       * signs with it (`X-Hub-Signature-256`), GitLab sends it (`X-Gitlab-Token`).
       * With it set, unsigned notifications are refused (401). Read per request.
       * @visibility secret
       */
      webhookSecret?: string;
      /**
       * Repositories watched besides the ones apps name (`repository` of
       * `PUT /apps/{app}`); changes apply without a restart.
       */
      repositories?: Array<{
        /** A local path or a remote URL. */
        url: string;
        /** The orchestrator app the Score files belong to. */
        app: string;
        /** Branch → environment, e.g. `{ main: dev }`. */
        branches: { [branch: string]: string };
        /** Globs of Score files. Default: score.yaml and any-folder/score.yaml. */
        paths?: string[];
        username?: string;
        /** @visibility secret */
        token?: string;
      }>;
    };
    /** External Secrets Operator, which reads the secrets GitOps deliveries reference. */
    externalSecrets?: {
      /**
       * The backend's base URL as the cluster reaches it, for the SecretStore's
       * webhook URL. Default: the backend's external base URL (`backend.baseUrl`).
       */
      baseUrl?: string;
    };
    /** Where deployments commit their rendered manifests. */
    gitops?: {
      /**
       * Remote to push to; without it the repository stays in `dataDir/gitops`.
       * Required with NODE_ENV=production. Backends sharing a database must
       * share it: one that finds a live backend delivering elsewhere
       * delivers nothing and says so.
       */
      url?: string;
      /** Branch to commit to. Default: main. */
      branch?: string;
      /** User name for the remote (default x-access-token). */
      username?: string;
      /**
       * Password or token for the remote. Default: the token of the
       * integration (`integrations` in app-config) for the remote's host.
       * @visibility secret
       */
      token?: string;
    };
  };
}
