import type { Logger as DrizzleLogger } from 'drizzle-orm/logger';
import { QueryCache, type QueryCacheOptions } from '../cache/query-cache.ts';
import type { QueryCacheStore } from '../cache/query-cache-store.ts';
import type { ModelContext } from '../model.ts';
import type { Executor } from '../types.ts';
import { captureTrace, type Trace } from './call-site.ts';
import { detectsNPlusOne, inScope, type NPlusOneOptions, nPlusOneDetector } from './n-plus-one.ts';
import { type SlowQueryOptions, slowQueryLog } from './slow-query.ts';
import { eventsOf, type Frame, frames, type QueryObserver, type Reporter, statementLogger } from './statement-log.ts';

/**
 * The query performance options of `createDatabase()`: the slow-query log, N+1 detection in
 * development, a statement observer and the query cache.
 *
 * @example
 * ```ts
 * const db = await createDatabase({
 *   schema,
 *   slowQuery: { threshold: '200ms', logger: console },
 *   detectNPlusOne: true,
 *   observe: (event) => histogram.record(event.durationMs, { kind: event.kind }),
 *   cache: { maxEntries: 10_000 },
 * });
 * ```
 */
export interface PerformanceOptions {
  /** Logs statements slower than a threshold (default 500 ms, in every environment); `false` turns it off. */
  slowQuery?: SlowQueryOptions | false;
  /** Warns about the same query run N times in one request. Default: on when `NODE_ENV` is `development`. */
  detectNPlusOne?: boolean | NPlusOneOptions;
  /**
   * Sees every statement run through the models and `db.query()`, after it ran. With
   * `{ onQuery, stack: true }` each event carries the caller's stack even when neither the slow-query
   * log nor N+1 detection is on.
   */
  observe?: QueryObserver | { onQuery: QueryObserver; stack?: boolean };
  /** The query cache's store or settings (default: in memory, 1000 entries); `false` turns `.cache()` into a plain query. */
  cache?: QueryCacheStore | QueryCacheOptions | false;
}

function isStore(value: QueryCacheStore | QueryCacheOptions): value is QueryCacheStore {
  return 'invalidateTags' in value && typeof value.invalidateTags === 'function';
}

/**
 * The query performance tools of one database: the statement observer, the slow-query log, N+1
 * detection and the query cache. `createDatabase` builds one and routes every model call through it.
 *
 * How statements are observed: drizzle's `logger` (installed on every drizzle instance of the
 * database) records each statement's SQL as it is sent, into the frame of the model call running
 * in that async context; the wrapper around the model call (`ModelContext.run`) reports the frame's
 * statements with their durations when the call ends. Neither alone is enough: the logger runs
 * before the statement, and the wrapper does not see SQL.
 *
 * @example
 * ```ts
 * const tools = new QueryTools({ slowQuery: { threshold: 100 } });
 * const context = tools.observe(baseContext);
 * ```
 */
export class QueryTools {
  /** The drizzle cache, when caching is on. */
  readonly cache: QueryCache | undefined;
  /** What to pass to `drizzle(client, ...)` for every drizzle instance of the database. */
  readonly drizzle: { logger: DrizzleLogger; cache?: QueryCache };
  /** Whether N+1 detection is on (the plugin opens a scope per request only then). */
  readonly detectsNPlusOne: boolean;
  private readonly reporters: Reporter[];
  private readonly eagerTraces: boolean;
  private readonly bases = new WeakMap<ModelContext, ModelContext>();

  constructor(options: PerformanceOptions) {
    this.detectsNPlusOne = detectsNPlusOne(options);
    const slow = slowQueryLog(options.slowQuery);
    const detect = nPlusOneDetector(options.detectNPlusOne, this.detectsNPlusOne);
    const observe = options.observe;
    const onQuery = typeof observe === 'function' ? observe : observe?.onQuery;
    const reporters: Array<Reporter | undefined> = [onQuery && ((event) => onQuery(event)), slow, detect];
    this.reporters = reporters.filter((reporter) => reporter !== undefined);
    this.eagerTraces = typeof observe === 'object' && observe.stack === true;
    const cache = options.cache;
    this.cache =
      cache === false
        ? undefined
        : new QueryCache(cache === undefined ? {} : isStore(cache) ? { store: cache } : cache);
    this.drizzle =
      this.cache === undefined ? { logger: statementLogger } : { logger: statementLogger, cache: this.cache };
  }

  /** A model context whose calls are observed and whose writes invalidate the cache once they succeeded. */
  observe(base: ModelContext): ModelContext {
    const observed: ModelContext = {
      relations: base.relations,
      client: base.client,
      reader: () => base.reader(),
      writer: () => base.writer(),
      run: <T>(kind: 'read' | 'write', fn: (executor: Executor) => Promise<T>): Promise<T> => {
        const call = () => this.frame(kind, () => base.run(kind, fn));
        return kind === 'write' && this.cache !== undefined ? this.cache.write(call) : call();
      },
    };
    this.bases.set(observed, base);
    return observed;
  }

  /**
   * Runs a transaction body on the context's own `run` (the transaction is not a statement; the
   * statements inside it are), deferring cache invalidation until it committed.
   */
  transaction<T>(context: ModelContext, body: (executor: Executor) => Promise<T>): Promise<T> {
    const base = this.bases.get(context) ?? context;
    const run = () => base.run('write', body);
    return this.cache === undefined ? run() : this.cache.transaction(run);
  }

  /** Observes a raw statement (`db.query()`), whose SQL is known up front. */
  raw<T>(text: string, params: readonly unknown[] | undefined, fn: () => Promise<T>): Promise<T> {
    return this.frame('raw', () => {
      frames
        .getStore()
        ?.statements.push({ sql: text, params: params?.length ?? 0, started: performance.now(), cached: false });
      return fn();
    });
  }

  /** Runs `fn` in its own N+1 scope (a no-op wrapper when detection is off). */
  track<T>(fn: () => Promise<T>): Promise<T> {
    return this.detectsNPlusOne ? inScope(fn) : fn();
  }

  /** Invalidates cached results carrying any of the tags (after the commit, inside a transaction). */
  invalidate(tags: readonly string[]): Promise<void> {
    return this.cache === undefined ? Promise.resolve() : this.cache.onMutate({ tags: [...tags] });
  }

  private async frame<T>(kind: Frame['kind'], fn: () => Promise<T>): Promise<T> {
    const frame: Frame = { kind, statements: [], trace: this.eagerTraces ? captureTrace() : undefined };
    try {
      const result = await frames.run(frame, fn);
      this.report(frame, undefined);
      return result;
    } catch (error) {
      this.report(frame, error);
      throw error;
    }
  }

  private report(frame: Frame, error: unknown): void {
    if (this.reporters.length === 0 || frame.statements.length === 0) return;
    // Captured here, in the continuation of the model call, V8's async stack trace still leads to
    // the code that awaited the call: a slow query or an N+1 gets its call site without every
    // query paying for a stack capture up front.
    let captured: Trace | undefined;
    const trace = () => {
      if (frame.trace !== undefined) return frame.trace;
      if (captured === undefined) captured = captureTrace();
      return captured;
    };
    for (const event of eventsOf(frame, performance.now(), error)) {
      for (const reporter of this.reporters) {
        try {
          reporter(event, trace);
        } catch (failure) {
          console.warn('A query observer or logger threw; fix it so that it never throws.', failure);
        }
      }
    }
  }
}
