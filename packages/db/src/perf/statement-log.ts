import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger as DrizzleLogger } from 'drizzle-orm/logger';
import type { Trace } from './call-site.ts';

/**
 * One statement as the query observer sees it: never the parameter values, only how many there were.
 *
 * @example
 * ```ts
 * const db = await createDatabase({ schema, observe: (event: QueryEvent) => metrics.observe(event.durationMs) });
 * ```
 */
export interface QueryEvent {
  /** The SQL text, with `$1`-style placeholders where the values went. */
  readonly sql: string;
  /** How many parameters the statement had (their values are never reported). */
  readonly params: number;
  /** Milliseconds from sending the statement until the model call that ran it finished. */
  readonly durationMs: number;
  /** `read`, `write` (model calls) or `raw` (`db.query()`). */
  readonly kind: 'read' | 'write' | 'raw';
  /** Served from the query cache: no statement reached the database. */
  readonly cached: boolean;
  /** Set when the statement failed. */
  readonly error?: unknown;
  /** The stack where the query was started, with `observe: { onQuery, stack: true }`. */
  readonly trace: Trace | undefined;
}

/**
 * What the slow-query log and the N+1 detector are: they get the event and a way to ask for the
 * caller's stack, captured only when asked (a capture costs microseconds; most events need none).
 *
 * @example
 * ```ts
 * const report: Reporter = (event, trace) => console.log(event.sql, trace()?.callSite);
 * ```
 */
export type Reporter = (event: QueryEvent, trace: () => Trace | undefined) => void;

/**
 * Receives every statement the database runs through its models and `db.query()`.
 *
 * @example
 * ```ts
 * const seen: string[] = [];
 * const observer: QueryObserver = (event) => seen.push(event.sql);
 * ```
 */
export type QueryObserver = (event: QueryEvent) => void;

interface Statement {
  sql: string;
  params: number;
  started: number;
  cached: boolean;
}

/**
 * What one model call ran: filled by drizzle's logger and the cache, reported when the call ends.
 *
 * @example
 * ```ts
 * const frame: Frame = { kind: 'read', statements: [], trace: undefined };
 * await frames.run(frame, () => query.execute());
 * ```
 */
export interface Frame {
  readonly kind: 'read' | 'write' | 'raw';
  readonly statements: Statement[];
  readonly trace: Trace | undefined;
  /** The cache's invalidation count when this call missed the cache (see the drizzle cache). */
  missedAt?: number;
}

/**
 * The statements of the model call running in the current async context (`frames.run(frame, fn)`).
 *
 * @example
 * ```ts
 * frames.getStore()?.statements.length;
 * ```
 * drizzle's `logger`
 * sees each statement's SQL just before it is sent; wrapping the model call sees when it ended:
 * together they give SQL and duration per statement.
 */
export const frames = new AsyncLocalStorage<Frame>();

/**
 * drizzle's `logger` hook, recording each statement into the current frame. Statements run
 * outside any model call (plain `db.drizzle`) have no frame and are not observed.
 *
 * @example
 * ```ts
 * drizzle(client, { logger: statementLogger });
 * ```
 */
export const statementLogger: DrizzleLogger = {
  logQuery(query, params) {
    frames.getStore()?.statements.push({
      sql: query,
      params: params.length,
      started: performance.now(),
      cached: false,
    });
  },
};

/**
 * Marks the latest statement of the current frame as answered by the cache.
 *
 * @example
 * ```ts
 * if (hit !== undefined) markCached();
 * ```
 */
export function markCached(): void {
  const statements = frames.getStore()?.statements;
  const last = statements?.[statements.length - 1];
  if (last !== undefined) last.cached = true;
}

/**
 * The events of a finished frame.
 *
 * @example
 * ```ts
 * for (const event of eventsOf(frame, performance.now(), undefined)) observer(event);
 * ```
 */
export function eventsOf(frame: Frame, ended: number, error: unknown): QueryEvent[] {
  const last = frame.statements.length - 1;
  return frame.statements.map((statement, index) => ({
    sql: statement.sql,
    params: statement.params,
    durationMs: ended - statement.started,
    kind: frame.kind,
    cached: statement.cached,
    ...(error === undefined || index !== last ? {} : { error }),
    trace: frame.trace,
  }));
}
