import { type Duration, toMilliseconds } from './duration.ts';
import type { Reporter } from './statement-log.ts';

/**
 * Where the slow-query log and the N+1 detector write. The app logger of @framework/core, pino and
 * `console` all fit.
 *
 * @example
 * ```ts
 * const logger: PerfLogger = { warn: (message, fields) => console.warn(message, fields) };
 * ```
 */
export interface PerfLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

/**
 * The slow-query log: every statement that took at least `threshold` is logged with its SQL
 * (placeholders only: parameter values are never logged, and quoted literals in raw SQL are
 * blanked), its duration and the call site.
 *
 * @example
 * ```ts
 * const db = await createDatabase({ schema, slowQuery: { threshold: '200ms', logger: app.logger } });
 * ```
 */
export interface SlowQueryOptions {
  /** Default 500 ms. */
  threshold?: Duration;
  /** Default: `console.warn`. */
  logger?: PerfLogger;
}

/**
 * `console`, one line per warning with its fields: the default logger.
 *
 * @example
 * ```ts
 * consoleLogger.warn('Slow query: 812 ms', { sql: 'select ...' });
 * ```
 */
export const consoleLogger: PerfLogger = {
  warn: (message, fields) => console.warn(message, fields ?? ''),
};

/**
 * SQL as it may be logged: string literals (which raw `db.query()` text may contain) become `'?'`.
 *
 * @example
 * ```ts
 * loggableSql("select * from users where email = 'a@b.c'"); // "select * from users where email = '?'"
 * ```
 */
export function loggableSql(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'/g, "'?'").replace(/\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$/g, "'?'");
}

/**
 * Builds the slow-query reporter for `createDatabase({ slowQuery })`; `undefined` when turned off.
 *
 * @example
 * ```ts
 * const report = slowQueryLog({ threshold: 200 });
 * report?.(event);
 * ```
 */
export function slowQueryLog(option: SlowQueryOptions | false | undefined): Reporter | undefined {
  if (option === false) return undefined;
  const threshold = toMilliseconds(option?.threshold ?? 500, 'slowQuery.threshold');
  const logger = option?.logger ?? consoleLogger;
  return (event, trace) => {
    if (event.cached || event.durationMs < threshold) return;
    const callSite = trace()?.callSite;
    const durationMs = Math.round(event.durationMs * 10) / 10;
    logger.warn(
      `Slow query: ${durationMs} ms (threshold ${threshold} ms)${callSite ? ` at ${callSite}` : ''}; run it with .explain() to see its plan.`,
      { sql: loggableSql(event.sql), durationMs, thresholdMs: threshold, params: event.params, callSite },
    );
  };
}
