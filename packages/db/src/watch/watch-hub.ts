import type { SqlClient } from '../client.ts';
import { qualifiedName, quoteIdent } from './sql-text.ts';
import { isWatchError, WatchError } from './watch-error.ts';
import { rowJsonSql } from './watch-trigger.ts';
import { fromJsonRow, loadTableInfo, type TableInfo } from './watch-values.ts';

type Json = Record<string, unknown>;

/**
 * One change, read from its notification once for every watcher of the table. `before` is the old
 * row as far as it is known (whole, or shrunk when the row was too large), for filters only.
 *
 * @example
 * ```ts
 * if (change.type === 'update' && !change.partial) console.log(change.old, '→', change.data);
 * ```
 */
export type DecodedChange =
  | {
      type: 'insert' | 'update' | 'delete';
      schema: string;
      table: string;
      partial: false;
      data: Json;
      old: Json | undefined;
      before: Json | undefined;
    }
  | {
      type: 'delete';
      schema: string;
      table: string;
      partial: true;
      data: Json;
      old: Json;
      omitted: readonly string[];
      before: Json;
    };

/**
 * A watcher as the shared listener sees it.
 *
 * @example
 * ```ts
 * const subscriber: HubSubscriber = { schema: 'public', table: 'posts', deliver: console.log, fail: console.error };
 * ```
 */
export interface HubSubscriber {
  readonly schema: string;
  readonly table: string;
  deliver(change: DecodedChange): void;
  fail(error: WatchError): void;
}

interface Payload {
  op: 'insert' | 'update' | 'delete';
  schema: string;
  table: string;
  data: Json | undefined;
  old: Json | undefined;
  partial: boolean;
  keys: string[];
  omitted: string[];
  overflow: boolean;
}

const hubs = new WeakMap<SqlClient, Map<string, Hub>>();

/**
 * Adds a watcher to the one LISTEN its client holds on a channel (opening it for the first watcher);
 * resolves once listening, to a function that leaves (closing the LISTEN after the last watcher).
 *
 * @example
 * ```ts
 * const leave = await joinHub(client, channel, subscriber, info);
 * await leave();
 * ```
 */
export async function joinHub(
  client: SqlClient,
  channel: string,
  subscriber: HubSubscriber,
  info: TableInfo,
): Promise<() => Promise<void>> {
  let byChannel = hubs.get(client);
  if (byChannel === undefined) {
    byChannel = new Map();
    hubs.set(client, byChannel);
  }
  const channels = byChannel;
  let hub = channels.get(channel);
  if (hub === undefined) {
    const created = new Hub(client);
    created.listening = client.listen(channel, (payload) => created.receive(payload));
    // A failed LISTEN must not stick: the next watcher tries again.
    created.listening.catch(() => channels.get(channel) === created && channels.delete(channel));
    channels.set(channel, created);
    hub = created;
  }
  const joined = hub;
  joined.subscribers.add(subscriber);
  joined.infos.set(tableKey(info.schema, info.table), info);
  try {
    await joined.listening;
  } catch (error) {
    joined.subscribers.delete(subscriber);
    throw new WatchError(
      'FW_DB_WATCH_LISTEN',
      `LISTEN ${channel} failed: ${error instanceof Error ? error.message : String(error)}. Check that the database is reachable.`,
      { cause: error },
    );
  }
  let left = false;
  return async () => {
    if (left) return;
    left = true;
    joined.subscribers.delete(subscriber);
    if (joined.subscribers.size > 0) return;
    if (channels.get(channel) === joined) channels.delete(channel);
    const stop = await joined.listening;
    // Fails only when the client is closed or the connection is gone: nothing is listening then.
    await stop().catch(() => undefined);
  };
}

class Hub {
  readonly subscribers = new Set<HubSubscriber>();
  readonly infos = new Map<string, TableInfo>();
  listening: Promise<() => Promise<void>> = Promise.resolve(async () => {});
  readonly #client: SqlClient;
  // Notifications arrive in commit order; fetching a large row is async, so they are handled one
  // after another to keep that order.
  #queue: Promise<void> = Promise.resolve();

  constructor(client: SqlClient) {
    this.#client = client;
  }

  receive(payload: string): void {
    this.#queue = this.#queue.then(() => this.#handle(payload));
  }

  async #handle(text: string): Promise<void> {
    const payload = parsePayload(text);
    if (payload === undefined) {
      const error = new WatchError(
        'FW_DB_WATCH_PAYLOAD',
        `A notification on a watch channel is not a change this package sent (${text.slice(0, 80)}): keep the channel for watchers only.`,
      );
      for (const subscriber of this.subscribers) subscriber.fail(error);
      return;
    }
    const targets = [...this.subscribers].filter((s) => s.schema === payload.schema && s.table === payload.table);
    if (targets.length === 0) return;
    let change: DecodedChange | undefined;
    try {
      change = await this.#decode(payload);
    } catch (error) {
      const name = qualifiedName(payload.schema, payload.table);
      const failure = isWatchError(error)
        ? error
        : new WatchError(
            'FW_DB_WATCH_FETCH',
            `An ${payload.op} on ${name} was too large for NOTIFY and fetching the row by its primary key failed: ${error instanceof Error ? error.message : String(error)}. The change is not delivered; check the connection and the role's SELECT on the table.`,
            { cause: error },
          );
      for (const subscriber of targets) subscriber.fail(failure);
      return;
    }
    if (change === undefined) return;
    for (const subscriber of targets) if (this.subscribers.has(subscriber)) subscriber.deliver(change);
  }

  async #decode(payload: Payload): Promise<DecodedChange | undefined> {
    const { op: type, schema, table } = payload;
    if (payload.overflow) {
      throw new WatchError(
        'FW_DB_WATCH_PAYLOAD',
        `An ${type} on ${qualifiedName(schema, table)} was too large to announce even by its primary key and is not delivered: keep primary key values under a few kilobytes.`,
      );
    }
    const info = await this.#info(payload);
    const data = payload.data === undefined ? undefined : fromJsonRow(payload.data, info);
    const old = payload.old === undefined ? undefined : fromJsonRow(payload.old, info);
    if (!payload.partial) {
      const row = type === 'delete' ? old : data;
      if (row === undefined) return undefined;
      return { type, schema, table, partial: false, data: row, old, before: old };
    }
    if (type === 'delete') {
      if (old === undefined) return undefined;
      return { type, schema, table, partial: true, data: old, old, omitted: payload.omitted, before: old };
    }
    // Too large for NOTIFY: read the row as it is now. If it is gone, a delete notification follows.
    const fetched = payload.data === undefined ? undefined : await fetchRow(this.#client, info, payload);
    if (fetched === undefined) return undefined;
    return { type, schema, table, partial: false, data: fromJsonRow(fetched, info), old: undefined, before: old };
  }

  // Column types come from the catalog; a column added since the watcher started is read again.
  async #info(payload: Payload): Promise<TableInfo> {
    const key = tableKey(payload.schema, payload.table);
    const known = this.infos.get(key);
    const columns = Object.keys(payload.data ?? payload.old ?? {});
    if (known !== undefined && columns.every((column) => known.columns.has(column))) return known;
    const info = await loadTableInfo(this.#client, payload.schema, payload.table);
    this.infos.set(key, info);
    return info;
  }
}

async function fetchRow(client: SqlClient, info: TableInfo, payload: Payload): Promise<Json | undefined> {
  const name = qualifiedName(info.schema, info.table);
  const keys = Object.fromEntries(payload.keys.map((key) => [key, payload.data?.[key] ?? null]));
  const where = payload.keys.map((key) => `t.${quoteIdent(key)} = k.${quoteIdent(key)}`).join(' and ');
  const [found] = await client.query<{ row: string }>(
    `select ${rowJsonSql('to_jsonb(t)', '$2::oid')}::text as row
       from ${name} t, jsonb_populate_record(null::${name}, $1::jsonb) k
      where ${where}`,
    [JSON.stringify(keys), info.relid],
  );
  if (found === undefined) return undefined;
  const row: unknown = JSON.parse(found.row);
  return isRecord(row) ? row : undefined;
}

function parsePayload(text: string): Payload | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || value.v !== 1) return undefined;
  const { op, schema, table, data, old } = value;
  if (op !== 'insert' && op !== 'update' && op !== 'delete') return undefined;
  if (typeof schema !== 'string' || typeof table !== 'string') return undefined;
  return {
    op,
    schema,
    table,
    data: isRecord(data) ? data : undefined,
    old: isRecord(old) ? old : undefined,
    partial: value.partial === true,
    keys: strings(value.keys),
    omitted: strings(value.omitted),
    overflow: value.overflow === true,
  };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function tableKey(schema: string, table: string): string {
  return `${schema}\0${table}`;
}
