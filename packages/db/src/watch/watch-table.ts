import type { SqlClient } from '../client.ts';
import { qualifiedName } from './sql-text.ts';
import { isWatchError, WatchError } from './watch-error.ts';
import { type DecodedChange, joinHub } from './watch-hub.ts';
import { installWatchTrigger, type WatchTarget, watchChannel } from './watch-trigger.ts';
import { checkFilter, type FilterValue, loadTableInfo, matchesFilter } from './watch-values.ts';

type Json = Record<string, unknown>;

/**
 * A change delivered whole: the new row in `data` (for a delete, the deleted row), the previous row
 * in `old` for updates and deletes. `old` is `undefined` for an insert, and for an update whose row
 * was too large for NOTIFY (`data` was then read by primary key after the commit).
 *
 * @example
 * ```ts
 * watcher.on('change', (event) => {
 *   if (!event.partial && event.type === 'update') console.log(event.old?.title, '→', event.data.title);
 * });
 * ```
 */
export interface RowChangeEvent<Row> {
  type: 'insert' | 'update' | 'delete';
  table: string;
  schema: string;
  data: Row;
  old: Row | undefined;
  partial: false;
}

/**
 * A delete of a row too large for NOTIFY: a deleted row cannot be read back, so `data` and `old`
 * hold the raw columns that fitted (always the primary key; values over 128 bytes of JSON are
 * left out and named in `omitted`), not passed through `parse`.
 *
 * @example
 * ```ts
 * watcher.on('delete', (row, event) => {
 *   if (row === undefined && event.partial) cache.delete(String(event.data.id));
 * });
 * ```
 */
export interface PartialDeleteEvent {
  type: 'delete';
  table: string;
  schema: string;
  data: Json;
  old: Json;
  partial: true;
  omitted: readonly string[];
}

/**
 * What a watcher delivers for each committed change: `event.type` (`'insert'`, `'update'` or
 * `'delete'`), `event.data` (the row) and `event.old` (the row before an update or delete).
 *
 * @example
 * ```ts
 * const log = (event: ChangeEvent<Post>) => console.log(event.type, event.data);
 * ```
 */
export type ChangeEvent<Row> = RowChangeEvent<Row> | PartialDeleteEvent;

/**
 * A listener for every change (the callback form of `watchTable`, and `on('change')`). It may be
 * async; it is not awaited, so a slow listener does not hold the others back.
 *
 * @example
 * ```ts
 * const onChange: ChangeListener<Json> = (event) => broadcast('posts:changed', event);
 * ```
 */
export type ChangeListener<Row> = (event: ChangeEvent<Row>) => void;

/**
 * Options of `watchTable`.
 *
 * @example
 * ```ts
 * const options: WatchTableOptions = { table: 'posts', primaryKey: ['id'], filter: { user_id: 123 } };
 * ```
 */
export interface WatchTableOptions extends WatchTarget {
  /** The primary key columns (database names): a row too large for NOTIFY is fetched by them. */
  primaryKey: readonly string[];
  /**
   * Equality on database columns. A change is delivered when its new or its old row matches, so an
   * update that moves a row out of the filter still arrives, as an update whose `data` no longer matches.
   */
  filter?: Readonly<Record<string, FilterValue>>;
  /** Install the trigger when starting (default). `false` when migrations install it with a privileged role. */
  install?: boolean;
  /** Receives every failure after start: a listener that threw, a row that could not be fetched. Default `console.error`. */
  onError?: (error: WatchError) => void;
}

/**
 * A running watch on one table. Several watchers of a table in one process share one LISTEN.
 *
 * @example
 * ```ts
 * const watcher = watchTable(client, { table: 'posts', primaryKey: ['id'] })
 *   .on('insert', (post) => console.log('new post', post.id))
 *   .on('delete', (post) => console.log('gone', post.id));
 * await watcher.ready;
 * await watcher.close();
 * ```
 */
export interface TableWatcher<Row> {
  /** Resolves once listening with the trigger installed; rejects with a `WatchError` (also sent to `onError`). */
  readonly ready: Promise<void>;
  /** The NOTIFY channel, also the trigger's name. */
  readonly channel: string;
  on(type: 'insert' | 'update', listener: (row: Row, event: RowChangeEvent<Row>) => void): this;
  /** `row` is the deleted row, or `undefined` when it was too large to carry (then `event.partial`: see PartialDeleteEvent). */
  on(type: 'delete', listener: (row: Row | undefined, event: ChangeEvent<Row>) => void): this;
  on(type: 'change', listener: ChangeListener<Row>): this;
  /** Stops delivery (at once) and leaves the shared LISTEN. The trigger stays: see `dropWatchTrigger`. */
  close(): Promise<void>;
}

/**
 * Watches a table's committed inserts, updates and deletes through a trigger and LISTEN/NOTIFY, on
 * PostgreSQL and PGlite. Rows arrive as database columns; pass `parse` to turn them into your row
 * type (a model layer passes its column mapping).
 *
 * @example
 * ```ts
 * const watcher = watchTable(client, { table: 'posts', primaryKey: ['id'] }, (event) => {
 *   console.log(event.type, event.data, event.old);
 * });
 * await watcher.ready;
 * ```
 */
export function watchTable<Row>(
  client: SqlClient,
  options: WatchTableOptions & { parse: (row: Json) => Row },
  callback?: ChangeListener<Row>,
): TableWatcher<Row>;
export function watchTable(
  client: SqlClient,
  options: WatchTableOptions,
  callback?: ChangeListener<Json>,
): TableWatcher<Json>;
export function watchTable<Row>(
  client: SqlClient,
  options: WatchTableOptions & { parse?: (row: Json) => Row },
  callback?: ChangeListener<Row>,
): TableWatcher<Row> | TableWatcher<Json> {
  // Without parse the first overload applies, where Row is the raw column record.
  const watcher =
    options.parse === undefined
      ? new Watcher(client, options, (row) => row)
      : new Watcher(client, options, options.parse);
  if (callback !== undefined) watcher.on('change', callback);
  return watcher;
}

type AnyListener = (...args: never[]) => unknown;

class Watcher<Row> implements TableWatcher<Row> {
  readonly ready: Promise<void>;
  readonly channel: string;
  readonly #options: WatchTableOptions;
  readonly #parse: (row: Json) => Row;
  readonly #listeners = new Map<string, Set<AnyListener>>();
  #closed = false;
  #leave: (() => Promise<void>) | undefined;

  constructor(client: SqlClient, options: WatchTableOptions, parse: (row: Json) => Row) {
    this.#options = options;
    this.#parse = parse;
    this.channel = watchChannel(options);
    this.ready = this.#start(client).catch((error: unknown) => {
      throw isWatchError(error)
        ? error
        : new WatchError(
            'FW_DB_WATCH_START',
            `Watching ${options.table} could not start: ${error instanceof Error ? error.message : String(error)}. Check the connection and the options.`,
            { cause: error },
          );
    });
    // Reported through onError too, so a caller that never awaits `ready` still hears of it.
    this.ready.catch((error: unknown) => {
      if (isWatchError(error)) this.#report(error);
    });
  }

  on(type: 'insert' | 'update' | 'delete' | 'change', listener: AnyListener): this {
    let set = this.#listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    set.add(listener);
    return this;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.ready.catch(() => undefined);
    const leave = this.#leave;
    this.#leave = undefined;
    await leave?.();
  }

  async #start(client: SqlClient): Promise<void> {
    const { table, primaryKey, filter } = this.#options;
    const schema = this.#options.schema ?? 'public';
    if (primaryKey.length === 0) {
      throw new WatchError('FW_DB_WATCH_OPTIONS', `primaryKey is empty for ${table}: name the primary key columns.`);
    }
    const info = await loadTableInfo(client, schema, table);
    const missing = primaryKey.filter((column) => !info.columns.has(column));
    if (missing.length > 0) {
      throw new WatchError(
        'FW_DB_WATCH_OPTIONS',
        `primaryKey names ${missing.join(', ')}, not columns of ${qualifiedName(schema, table)}: use the database column names.`,
      );
    }
    if (filter !== undefined) checkFilter(filter, info);
    if (this.#options.install !== false) await installWatchTrigger(client, { ...this.#options, schema });
    const leave = await joinHub(
      client,
      this.channel,
      {
        schema,
        table,
        deliver: (change) => this.#deliver(change),
        fail: (error) => this.#report(error),
      },
      info,
    );
    if (this.#closed) await leave();
    else this.#leave = leave;
  }

  #deliver(change: DecodedChange): void {
    if (this.#closed || this.#leave === undefined) return;
    const { filter } = this.#options;
    if (filter !== undefined) {
      const now = matchesFilter(change.data, filter);
      const before = change.before === undefined ? false : matchesFilter(change.before, filter);
      // A shrunk delete may lack a filtered column: deliver it rather than leave a stale row behind.
      const undecided = change.partial && (now === undefined || before === undefined);
      if (now !== true && before !== true && !undecided) return;
    }
    let event: ChangeEvent<Row>;
    try {
      const { type, table, schema } = change;
      event = change.partial
        ? { type: 'delete', table, schema, data: change.data, old: change.old, partial: true, omitted: change.omitted }
        : {
            type,
            table,
            schema,
            data: this.#parse(change.data),
            old: change.old === undefined ? undefined : this.#parse(change.old),
            partial: false,
          };
    } catch (error) {
      this.#report(
        new WatchError('FW_DB_WATCH_PAYLOAD', `parse threw on a ${change.type} of ${change.table}: fix parse.`, {
          cause: error,
        }),
      );
      return;
    }
    const row = event.partial ? undefined : event.data;
    for (const listener of this.#listeners.get(event.type) ?? []) this.#call(listener, event, [row, event]);
    for (const listener of this.#listeners.get('change') ?? []) this.#call(listener, event, [event]);
  }

  #call(listener: AnyListener, event: ChangeEvent<Row>, args: unknown[]): void {
    const fail = (error: unknown) =>
      this.#report(
        new WatchError(
          'FW_DB_WATCH_LISTENER',
          `A ${event.type} listener on ${event.table} threw (${error instanceof Error ? error.message : String(error)}); the other listeners still ran. Fix the listener; the error is in cause.`,
          { cause: error },
        ),
      );
    try {
      const result: unknown = Reflect.apply(listener, undefined, args);
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  }

  #report(error: WatchError): void {
    const onError = this.#options.onError ?? ((failure: WatchError) => console.error(failure));
    try {
      onError(error);
    } catch {
      // An onError that throws has nowhere left to report to.
    }
  }
}
