import { AsyncLocalStorage } from 'node:async_hooks';
import { QueryError } from '../errors.ts';
import { consoleLogger, loggableSql, type PerfLogger } from './slow-query.ts';
import type { Reporter } from './statement-log.ts';

/**
 * N+1 detection: the same statement (SQL text; parameters ignored) run `threshold` times in one
 * scope (a request, or `db.track()`) logs one warning per statement, with the call site.
 *
 * @example
 * ```ts
 * const db = await createDatabase({ schema, detectNPlusOne: { threshold: 10, logger: app.logger } });
 * ```
 */
export interface NPlusOneOptions {
  /** How many runs of one statement in one scope make an N+1. Default 5. */
  threshold?: number;
  /** Default: `console.warn`. */
  logger?: PerfLogger;
}

/** The statements run so far in one request or `db.track()` call. */
interface Scope {
  readonly counts: Map<string, number>;
}

const scopes = new AsyncLocalStorage<Scope>();

/**
 * Whether `createDatabase` options turn N+1 detection on: `detectNPlusOne`, by default on when
 * `NODE_ENV` is `development`.
 *
 * @example
 * ```ts
 * if (detectsNPlusOne(options)) app.use((ctx, next) => db.track(() => next()));
 * ```
 */
export function detectsNPlusOne(options: { detectNPlusOne?: boolean | NPlusOneOptions }): boolean {
  const option = options.detectNPlusOne;
  return option === undefined ? process.env.NODE_ENV === 'development' : option !== false;
}

/**
 * Runs `fn` in a fresh N+1 scope: statements it runs (however deep, across awaits) are counted together.
 *
 * @example
 * ```ts
 * await inScope(async () => { for (const post of posts) await db.users.find(post.userId); });
 * ```
 */
export function inScope<T>(fn: () => Promise<T>): Promise<T> {
  return scopes.run({ counts: new Map() }, fn);
}

/** `"schema"."table"` or `"table"` after from / into / update, unquoted. */
function tableOf(sql: string): string | undefined {
  const match = /\b(?:from|into|update)\s+((?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))?)/i.exec(sql);
  return match?.[1]?.replaceAll('"', '');
}

function suggestion(sql: string, table: string): string {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase();
  if (verb === 'insert') return `insert the rows in one statement: pass an array to insert() on ${table}.`;
  if (verb === 'update' || verb === 'delete') {
    return `${verb} the rows of ${table} in one statement, with a where() that matches them all (e.g. { id: { in: ids } }).`;
  }
  return `eager-load ${table} with .with('<relation>') on the query that loaded the parent rows, or load them in one query with where({ id: { in: ids } }).`;
}

/**
 * Builds the N+1 detector for `createDatabase`; `undefined` when turned off.
 *
 * @example
 * ```ts
 * const detect = nPlusOneDetector({ threshold: 5 });
 * detect?.(event);
 * ```
 */
export function nPlusOneDetector(
  option: boolean | NPlusOneOptions | undefined,
  enabled: boolean,
): Reporter | undefined {
  if (!enabled) return undefined;
  const settings = typeof option === 'object' ? option : {};
  const threshold = settings.threshold ?? 5;
  if (!Number.isInteger(threshold) || threshold < 2) {
    throw new QueryError(
      'FW_DB_BAD_OPTION',
      `detectNPlusOne.threshold takes a whole number ≥ 2 (runs of one query in one request), got ${threshold}.`,
    );
  }
  const logger = settings.logger ?? consoleLogger;
  return (event, trace) => {
    if (event.cached) return;
    const scope = scopes.getStore();
    if (scope === undefined) return;
    const seen = (scope.counts.get(event.sql) ?? 0) + 1;
    scope.counts.set(event.sql, seen);
    if (seen !== threshold) return;
    const table = tableOf(event.sql) ?? 'the table';
    const callSite = trace()?.callSite;
    logger.warn(
      { sql: loggableSql(event.sql), table, count: threshold, callSite },
      `N+1 query detected: the same query on ${table} ran ${threshold} times in one request${callSite ? `, from ${callSite}` : ''}. Suggestion: ${suggestion(event.sql, table)}`,
    );
  };
}
