import type { Context } from '../context.ts';
import { checkOptions, type KnownOptions } from '../options.ts';
import { definePlugin, type PluginInstance } from '../plugin.ts';
import { Limiter, type RateLimitContext, type RateLimiter, type RateLimitOptions } from './limiter.ts';
import type { FailedLoginsOptions, RapidRequestsOptions, ScanningOptions, SuspiciousOptions } from './suspicious.ts';

export { clientAddressKey } from './client-address.ts';
export type { RateLimitContext, RateLimiter, RateLimitOptions, RateLimitStats } from './limiter.ts';
export type { RouteLimit } from './route-patterns.ts';

/**
 * What `rateLimit()` adds: `app.rateLimit` and `ctx.rateLimit`.
 *
 * @example
 * ```ts
 * const plugin: PluginInstance<RateLimitExports> = rateLimit({ max: 100 });
 * ```
 */
export interface RateLimitExports {
  decorate: { rateLimit: RateLimiter };
  context: { rateLimit: (ctx: Context) => RateLimitContext };
}

const plugin = definePlugin({
  name: 'rate-limit',
  setup(app, limiter: Limiter): RateLimitExports {
    app.onRequest((ctx) => limiter.onRequest(ctx));
    if (limiter.guard.watchesNotFound) app.onResponse((ctx, reply) => limiter.onResponse(ctx, reply));
    if (limiter.ownsStore) app.onClose(() => limiter.store.close?.());
    return { decorate: { rateLimit: limiter }, context: { rateLimit: (ctx) => limiter.forContext(ctx) } };
  },
});

/**
 * Rate limiting: a global limit per client, limits per route pattern, and optional
 * detection of failed sign-ins, bursts and scanners. Over a limit the client gets 429
 * problem+json (`FW_ERR_RATE_LIMITED`) with `Retry-After`, and the handler is not called.
 *
 * @example
 * ```ts
 * const app = createApp().use(
 *   rateLimit({
 *     window: '15m',
 *     max: 100,
 *     routes: { 'POST /api/login': { max: 5, window: '15m' }, 'GET /api/*': { max: 1000 } },
 *     suspicious: { failedLogins: { max: 5, window: '5m', action: 'captcha' } },
 *   }),
 * );
 * app.get('/stats', () => app.rateLimit.stats);
 * ```
 */
export function rateLimit(options: RateLimitOptions = {}): PluginInstance<RateLimitExports> {
  checkRateLimitOptions(options);
  return plugin(new Limiter(options));
}

const RATE_LIMIT_OPTIONS: KnownOptions<RateLimitOptions> = {
  window: true,
  max: true,
  routes: true,
  keyGenerator: true,
  ipv6Subnet: true,
  store: true,
  storeTimeout: true,
  failClosed: true,
  skip: true,
  headers: true,
  suspicious: true,
  logger: true,
};
const SUSPICIOUS_OPTIONS: KnownOptions<SuspiciousOptions> = {
  failedLogins: true,
  rapidRequests: true,
  scanningBehavior: true,
};
const FAILED_LOGINS_OPTIONS: KnownOptions<FailedLoginsOptions> = {
  max: true,
  window: true,
  action: true,
  duration: true,
  resetOnSuccess: true,
  rememberClients: true,
};
const RAPID_REQUESTS_OPTIONS: KnownOptions<RapidRequestsOptions> = {
  threshold: true,
  window: true,
  action: true,
  duration: true,
};
const SCANNING_OPTIONS: KnownOptions<ScanningOptions> = {
  indicators: true,
  threshold: true,
  window: true,
  action: true,
  duration: true,
};

/** Unknown keys anywhere in `rateLimit()`'s options (top level, per route, `suspicious`) throw with "did you mean". */
function checkRateLimitOptions(options: RateLimitOptions): void {
  checkOptions('rateLimit()', options, RATE_LIMIT_OPTIONS);
  for (const [pattern, limit] of Object.entries(options.routes ?? {})) {
    if (limit !== false) checkOptions(`rateLimit({ routes: { '${pattern}' } })`, limit, { max: true, window: true });
  }
  const suspicious = options.suspicious;
  checkOptions('rateLimit({ suspicious })', suspicious, SUSPICIOUS_OPTIONS);
  checkOptions('rateLimit({ suspicious: { failedLogins } })', suspicious?.failedLogins, FAILED_LOGINS_OPTIONS);
  checkOptions('rateLimit({ suspicious: { rapidRequests } })', suspicious?.rapidRequests, RAPID_REQUESTS_OPTIONS);
  checkOptions('rateLimit({ suspicious: { scanningBehavior } })', suspicious?.scanningBehavior, SCANNING_OPTIONS);
}
