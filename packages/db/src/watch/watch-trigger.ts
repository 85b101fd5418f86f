import { createHash } from 'node:crypto';
import type { SqlClient } from '../client.ts';
import { dollarQuote, qualifiedName, quoteIdent, quoteLiteral } from './sql-text.ts';
import { WatchError } from './watch-error.ts';

/**
 * Largest NOTIFY payload the trigger sends whole. PostgreSQL refuses payloads of 8000 bytes or more
 * (and would fail the writer's statement), so the trigger stays under this with a margin.
 */
export const PAYLOAD_LIMIT = 7900;

/** A value longer than this (as JSON text) is left out of a payload that had to shrink. */
export const SHORT_VALUE_LIMIT = 128;

/**
 * PGlite sends `LISTEN <channel>` unquoted, so a channel must be a plain lower-case identifier there;
 * the same rule everywhere keeps a channel portable.
 */
const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Where a table's changes are announced: the trigger is named after the channel, so a table can
 * carry one trigger per channel.
 *
 * @example
 * ```ts
 * const target: WatchTarget = { table: 'posts', schema: 'public', channel: 'posts_changes' };
 * ```
 */
export interface WatchTarget {
  table: string;
  /** Default `public`. */
  schema?: string;
  /** NOTIFY channel (and trigger name): lower-case letters, digits, `_`, at most 63. Default derived from the table. */
  channel?: string;
}

/**
 * The channel a table's changes go to: the given one (checked), or `fw_watch_` and a hash of the
 * schema-qualified table name, which fits the 63-byte identifier limit whatever the table is called.
 *
 * @example
 * ```ts
 * watchChannel({ table: 'posts' }); // 'fw_watch_…' (stable for public.posts)
 * ```
 */
export function watchChannel(target: WatchTarget): string {
  if (target.channel !== undefined) {
    if (!CHANNEL.test(target.channel)) {
      throw new WatchError(
        'FW_DB_WATCH_OPTIONS',
        `The channel ${JSON.stringify(target.channel)} is not allowed: use 1 to 63 lower-case letters, digits and underscores, starting with a letter or underscore.`,
      );
    }
    return target.channel;
  }
  const hash = createHash('sha256')
    .update(`${target.schema ?? 'public'}\0${target.table}`)
    .digest('hex');
  return `fw_watch_${hash.slice(0, 24)}`;
}

/**
 * SQL for a row as JSON the way live queries ship it: `to_jsonb`, except that `bigint` and `numeric`
 * values (and arrays of them) become strings, because JSON numbers lose precision past 2^53 in
 * JavaScript. `row` is a jsonb expression, `relation` the table's oid expression.
 *
 * @example
 * ```ts
 * const sql = `select ${rowJsonSql('to_jsonb(t)', '$2::oid')} as row from posts t`;
 * ```
 */
export function rowJsonSql(row: string, relation: string): string {
  return `(SELECT coalesce(jsonb_object_agg(e.key, CASE
      WHEN t.typname IN ('int8', 'numeric') AND jsonb_typeof(e.value) = 'number' THEN to_jsonb(e.value #>> '{}')
      WHEN t.typname IN ('_int8', '_numeric') AND jsonb_typeof(e.value) = 'array'
        THEN regexp_replace(e.value::text, '(-?[0-9][0-9.eE+-]*)', '"\\1"', 'g')::jsonb
      ELSE e.value END), '{}'::jsonb)
    FROM jsonb_each(${row}) e
    LEFT JOIN pg_attribute a ON a.attrelid = ${relation} AND a.attname = e.key::name
      AND jsonb_typeof(e.value) IN ('number', 'array')
    LEFT JOIN pg_type t ON t.oid = a.atttypid)`;
}

function shrinkSql(row: string, keep: string): string {
  return `(SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(${row}) e WHERE ${keep})`;
}

// Static: no table, schema or channel is spelled in the body (they arrive as TG_* and TG_ARGV),
// so one function per schema serves every watched table in it.
const NOTIFY_BODY = `
DECLARE
  keys text[] := ARRAY(SELECT jsonb_array_elements_text(TG_ARGV[1]::jsonb));
  new_row jsonb;
  old_row jsonb;
  omitted jsonb;
  payload text;
BEGIN
  IF TG_OP <> 'DELETE' THEN new_row := ${rowJsonSql('to_jsonb(NEW)', 'TG_RELID')}; END IF;
  IF TG_OP <> 'INSERT' THEN old_row := ${rowJsonSql('to_jsonb(OLD)', 'TG_RELID')}; END IF;
  payload := jsonb_build_object('v', 1, 'op', lower(TG_OP), 'schema', TG_TABLE_SCHEMA, 'table', TG_TABLE_NAME,
    'data', new_row, 'old', old_row)::text;
  IF octet_length(payload) > ${PAYLOAD_LIMIT} THEN
    omitted := (SELECT coalesce(jsonb_agg(DISTINCT e.key), '[]'::jsonb)
      FROM (SELECT * FROM jsonb_each(coalesce(new_row, '{}'::jsonb)) UNION ALL SELECT * FROM jsonb_each(coalesce(old_row, '{}'::jsonb))) e
      WHERE NOT (e.key = ANY (keys) OR octet_length(e.value::text) <= ${SHORT_VALUE_LIMIT}));
    payload := jsonb_build_object('v', 1, 'op', lower(TG_OP), 'schema', TG_TABLE_SCHEMA, 'table', TG_TABLE_NAME,
      'partial', true, 'keys', TG_ARGV[1]::jsonb, 'omitted', omitted,
      'data', ${shrinkSql('new_row', `e.key = ANY (keys) OR octet_length(e.value::text) <= ${SHORT_VALUE_LIMIT}`)},
      'old', ${shrinkSql('old_row', `e.key = ANY (keys) OR octet_length(e.value::text) <= ${SHORT_VALUE_LIMIT}`)})::text;
  END IF;
  IF octet_length(payload) > ${PAYLOAD_LIMIT} THEN
    omitted := (SELECT coalesce(jsonb_agg(DISTINCT e.key), '[]'::jsonb)
      FROM jsonb_each(coalesce(new_row, old_row)) e WHERE NOT (e.key = ANY (keys)));
    payload := jsonb_build_object('v', 1, 'op', lower(TG_OP), 'schema', TG_TABLE_SCHEMA, 'table', TG_TABLE_NAME,
      'partial', true, 'keys', TG_ARGV[1]::jsonb, 'omitted', omitted,
      'data', ${shrinkSql('new_row', 'e.key = ANY (keys)')}, 'old', ${shrinkSql('old_row', 'e.key = ANY (keys)')})::text;
  END IF;
  IF octet_length(payload) > ${PAYLOAD_LIMIT} THEN
    -- Never fail the writer's statement: announce that something changed, without the keys.
    payload := jsonb_build_object('v', 1, 'op', lower(TG_OP), 'schema', TG_TABLE_SCHEMA, 'table', TG_TABLE_NAME,
      'overflow', true)::text;
  END IF;
  PERFORM pg_notify(TG_ARGV[0], payload);
  RETURN NULL;
END`;

/**
 * Installs (or refreshes) the change trigger of a table: one `AFTER INSERT OR UPDATE OR DELETE FOR
 * EACH ROW` trigger named after the channel, calling `<schema>.fw_watch_notify()`. Idempotent and
 * safe to run from several processes at once: it is one statement (a DO block, so one transaction)
 * that first takes a transaction-level advisory lock, then `CREATE OR REPLACE`s the function and the
 * trigger (PostgreSQL 14+).
 *
 * @example
 * ```ts
 * await installWatchTrigger(client, { table: 'posts', primaryKey: ['id'] });
 * ```
 */
export async function installWatchTrigger(
  client: SqlClient,
  target: WatchTarget & { primaryKey: readonly string[] },
): Promise<void> {
  const schema = target.schema ?? 'public';
  const channel = watchChannel(target);
  const fn = `${quoteIdent(schema)}.fw_watch_notify`;
  const body = `
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('@framework/db watch install'));
  CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp AS ${dollarQuote(NOTIFY_BODY, 'fn')};
  CREATE OR REPLACE TRIGGER ${quoteIdent(channel)} AFTER INSERT OR UPDATE OR DELETE ON ${qualifiedName(schema, target.table)}
    FOR EACH ROW EXECUTE FUNCTION ${fn}(${quoteLiteral(channel)}, ${quoteLiteral(JSON.stringify(target.primaryKey))});
END`;
  try {
    await client.query(`DO ${dollarQuote(body, 'do')}`);
  } catch (error) {
    throw new WatchError(
      'FW_DB_WATCH_INSTALL',
      `The change trigger on ${qualifiedName(schema, target.table)} could not be installed: ${message(error)}. ` +
        'It needs PostgreSQL 14 or later, CREATE on the schema and ownership of the table; if the app role lacks them, install it once from a role that has them (installWatchTrigger) and pass install: false.',
      { cause: error },
    );
  }
}

/**
 * Removes the change trigger of a table (the trigger stays after watchers close, see the README).
 * Changes stop being announced on that channel for every process.
 *
 * @example
 * ```ts
 * await dropWatchTrigger(client, { table: 'posts' });
 * ```
 */
export async function dropWatchTrigger(client: SqlClient, target: WatchTarget): Promise<void> {
  const schema = target.schema ?? 'public';
  await client.query(
    `DROP TRIGGER IF EXISTS ${quoteIdent(watchChannel(target))} ON ${qualifiedName(schema, target.table)}`,
  );
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
