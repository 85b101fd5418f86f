import type { Logger } from '@framework/core';
import { type Duration, parseDuration } from '@framework/core';
import type { Reporter } from './statement-log.ts';

/**
 * Where the slow-query log and the N+1 detector write: anything with a pino-style `warn(fields,
 * message)`, such as the app's logger (`app.logger`) or a pino logger.
 *
 * @example
 * ```ts
 * const logger: PerfLogger = { warn: (fields, message) => console.warn(message, fields) };
 * ```
 */
export type PerfLogger = Pick<Logger, 'warn'>;

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
  /** Milliseconds as a bare number, or a string with a unit (`'200ms'`, `'1s'`). Default 500 ms. */
  threshold?: Duration;
  /** Default: `console.warn`. */
  logger?: PerfLogger;
}

/**
 * `console`, one line per warning with its fields: the default logger.
 *
 * @example
 * ```ts
 * consoleLogger.warn({ sql: 'select ...' }, 'Slow query: 812 ms');
 * ```
 */
export const consoleLogger: PerfLogger = {
  warn: (fields, message) => console.warn(message, fields),
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
  const threshold = parseDuration(option?.threshold ?? 500, 'slowQuery.threshold');
  const logger = option?.logger ?? consoleLogger;
  return (event, trace) => {
    if (event.cached || event.durationMs < threshold) return;
    const callSite = trace()?.callSite;
    const durationMs = Math.round(event.durationMs * 10) / 10;
    logger.warn(
      { sql: loggableSql(event.sql), durationMs, thresholdMs: threshold, params: event.params, callSite },
      `Slow query: ${durationMs} ms (threshold ${threshold} ms)${callSite ? ` at ${callSite}` : ''}; run it with .explain() to see its plan.`,
    );
  };
}
