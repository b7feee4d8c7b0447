import { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { DecisionCache } from '../DecisionCache';
import type { RouterOptions } from './RouteContext';

/** The router's settings from the configuration. @internal */
export function routerSettings(config: Config, logger: LoggerService): Pick<RouterOptions, 'webhookSecret' | 'decisions' | 'errorHandler'> {
  return {
    webhookSecret: () => config.getOptionalString('orchestrator.gitWatch.webhookSecret'),
    decisions: new DecisionCache((config.getOptionalNumber('orchestrator.permissionCacheSeconds') ?? 5) * 1000),
    // Backstage puts stack traces in error bodies whenever NODE_ENV is development;
    // where orchestrator.showStackTraces is set, it decides (false in production).
    errorHandler: MiddlewareFactory.create({ config, logger }).error({ showStackTraces: config.getOptionalBoolean('orchestrator.showStackTraces') }),
  };
}
