import { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { EnvironmentLifecycleStore } from '../database/EnvironmentLifecycleStore';
import type { OrchestratorEvents } from '../service/OrchestratorEvents';
import { parseTtl } from '../service/isoDuration';
import type { EnvironmentTeardown } from './EnvironmentTeardown';

/** At most this long before its expiry an environment is announced as expiring. */
const ANNOUNCE_MS = 3_600_000;

/**
 * Environments with a time to live: a periodic check (every
 * `orchestrator.environments.expiryCheckSeconds`, default 30) announces
 * `environment.expiring` once per expiry, when less than an hour or a tenth
 * of the time to live is left (whichever is shorter: a `PT2H` environment
 * 12 minutes before, a `P3D` preview an hour before), marks expired ones for
 * teardown, and tears down every marked environment this backend can claim
 * (also those a stopped backend left half done).
 *
 * @internal
 */
export class EnvironmentExpiry {
  #timer?: NodeJS.Timeout;
  #checking?: Promise<void>;

  static fromConfig(config: Config, deps: EnvironmentExpiry['deps']): EnvironmentExpiry {
    const seconds = config.getOptionalNumber('orchestrator.environments.expiryCheckSeconds') ?? 30;
    return new EnvironmentExpiry(deps, seconds * 1000);
  }

  constructor(
    private readonly deps: {
      lifecycle: EnvironmentLifecycleStore;
      teardown: EnvironmentTeardown;
      events: OrchestratorEvents;
      logger: LoggerService;
    },
    private readonly intervalMs: number,
  ) {}

  start() {
    this.stop();
    this.#timer = setInterval(() => void this.check(), this.intervalMs);
    void this.check();
  }

  async stop() {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#checking;
  }

  /** One check; a check still running is not started twice. */
  check(now = new Date()): Promise<void> {
    this.#checking ??= this.checkOnce(now)
      .catch(error => this.deps.logger.warn(`Checking environments' expiry: ${error}`))
      .finally(() => {
        this.#checking = undefined;
      });
    return this.#checking;
  }

  private async checkOnce(now: Date) {
    const { lifecycle, events } = this.deps;
    for (const expiring of await lifecycle.listUnannouncedExpiring(new Date(now.getTime() + ANNOUNCE_MS))) {
      const left = Date.parse(expiring.expiresAt) - now.getTime();
      const ttlMs = parseTtl(expiring.ttl);
      if (left > Math.min(ANNOUNCE_MS, ttlMs / 10) || left <= 0) continue;
      if (await lifecycle.markAnnounced(expiring.app, expiring.env)) {
        await events.lifecycle('environment.expiring', expiring.app, expiring.env, {
          expiresAt: expiring.expiresAt,
          ...(expiring.preview ? { source: expiring.preview } : {}),
        });
      }
    }
    const expired = await lifecycle.markExpired(now);
    if (expired) this.deps.logger.info(`${expired} environment(s) expired; tearing them down`);
    await this.deps.teardown.resumeAll();
  }
}
