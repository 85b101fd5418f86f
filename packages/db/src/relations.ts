import { type Column, getTableColumns, getTableName, inArray } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { QueryError } from './errors.ts';
import type { AnyTable, Executor, RowOf } from './types.ts';

/**
 * A relation from one table to another, declared with `hasMany`, `hasOne` or
 * `belongsTo` and loaded with `.with(name)`.
 *
 * @example
 * ```ts
 * const author: Relation<'belongsTo', typeof users> = belongsTo(users, 'userId');
 * ```
 */
export interface Relation<
  Kind extends 'hasMany' | 'hasOne' | 'belongsTo' = 'hasMany' | 'hasOne' | 'belongsTo',
  T extends AnyTable = AnyTable,
> {
  readonly kind: Kind;
  readonly target: T;
  /** hasMany/hasOne: the column of `target` pointing here; belongsTo: the column here pointing at `target`. */
  readonly foreignKey: string;
}

/**
 * The rows of `target` whose `foreignKey` points at this row: `posts: hasMany(posts, 'userId')`.
 *
 * @example
 * ```ts
 * relations: { users: { posts: hasMany(posts, 'userId') } }
 * ```
 */
export function hasMany<T extends AnyTable>(target: T, foreignKey: keyof RowOf<T> & string): Relation<'hasMany', T> {
  return { kind: 'hasMany', target, foreignKey };
}

/**
 * The one row of `target` whose `foreignKey` points at this row (or `null`).
 *
 * @example
 * ```ts
 * relations: { users: { profile: hasOne(profiles, 'userId') } }
 * ```
 */
export function hasOne<T extends AnyTable>(target: T, foreignKey: keyof RowOf<T> & string): Relation<'hasOne', T> {
  return { kind: 'hasOne', target, foreignKey };
}

/**
 * The row of `target` this row's `foreignKey` points at (or `null`): `author: belongsTo(users, 'userId')`.
 *
 * @example
 * ```ts
 * relations: { posts: { author: belongsTo(users, 'userId') } }
 * ```
 */
export function belongsTo<T extends AnyTable>(target: T, foreignKey: string): Relation<'belongsTo', T> {
  return { kind: 'belongsTo', target, foreignKey };
}

/** Relations by schema key, then by relation name. */
export type RelationMap<S extends Record<string, AnyTable>> = { [K in keyof S]?: Record<string, Relation> };

type KeyOfTable<S extends Record<string, AnyTable>, T extends AnyTable> = {
  [K in keyof S]: S[K] extends T ? (T extends S[K] ? K : never) : never;
}[keyof S];

type RelationsOf<S extends Record<string, AnyTable>, R extends RelationMap<S>, K extends keyof S> =
  R[K] extends Record<string, Relation> ? R[K] : {};

/** Relation paths loadable from a table: `'author'`, `'comments'`, `'comments.author'` (two levels). */
export type RelationPath<S extends Record<string, AnyTable>, R extends RelationMap<S>, K extends keyof S> = {
  [N in keyof RelationsOf<S, R, K> & string]: RelationsOf<S, R, K>[N] extends Relation<infer _Kind, infer Target>
    ? N | `${N}.${keyof RelationsOf<S, R, KeyOfTable<S, Target>> & string}`
    : never;
}[keyof RelationsOf<S, R, K> & string];

type Loaded<Rel extends Relation, Row> = Rel['kind'] extends 'hasMany' ? Row[] : Row | null;

type NestedFor<P extends string, N extends string> = P extends `${N}.${infer Rest}` ? Rest : never;

/** A row of table `K` with the relations named by `P` loaded into it. */
export type WithRelations<
  S extends Record<string, AnyTable>,
  R extends RelationMap<S>,
  K extends keyof S,
  P extends string,
> = RowOf<S[K]> & {
  [N in P extends `${infer Head}.${string}` ? Head : P]: N extends keyof RelationsOf<S, R, K>
    ? RelationsOf<S, R, K>[N] extends infer Rel extends Relation
      ? Loaded<
          Rel,
          [NestedFor<P, N & string>] extends [never]
            ? RowOf<Rel['target']>
            : WithRelations<S, R, KeyOfTable<S, Rel['target']>, NestedFor<P, N & string>>
        >
      : never
    : never;
};

/** Everything the loader needs to find relations at run time. */
export interface RelationIndex {
  relationsOf(table: AnyTable): Record<string, Relation> | undefined;
}

/**
 * Builds the run-time index from the `relations` option, checking every foreign key names a column.
 *
 * @example
 * ```ts
 * const index = indexRelations({ users, posts }, { posts: { author: belongsTo(users, 'userId') } });
 * ```
 */
export function indexRelations(
  schema: Record<string, AnyTable>,
  relations: Record<string, Record<string, Relation> | undefined>,
): RelationIndex {
  const byTable = new Map<AnyTable, Record<string, Relation>>();
  for (const [key, declared] of Object.entries(relations)) {
    const table = schema[key];
    if (table === undefined) {
      throw new QueryError(
        'FW_DB_BAD_RELATION',
        `relations.${key}: the schema has no table "${key}"; keys: ${Object.keys(schema).join(', ')}.`,
      );
    }
    for (const [name, relation] of Object.entries(declared ?? {})) {
      const owner = relation.kind === 'belongsTo' ? table : relation.target;
      if (!(relation.foreignKey in getTableColumns(owner))) {
        throw new QueryError(
          'FW_DB_BAD_RELATION',
          `relations.${key}.${name}: ${getTableName(owner)} has no column "${relation.foreignKey}"; columns: ${Object.keys(getTableColumns(owner)).join(', ')}.`,
        );
      }
    }
    byTable.set(table, declared ?? {});
  }
  return { relationsOf: (table) => byTable.get(table) };
}

function primaryKey(table: AnyTable): { name: string; column: Column } {
  const columns = getTableColumns(table);
  for (const [name, column] of Object.entries(columns)) if (column.primary) return { name, column };
  const composite = getTableConfig(table).primaryKeys[0]?.columns;
  throw new QueryError(
    'FW_DB_NO_PRIMARY_KEY',
    `${getTableName(table)} needs a single-column primary key for relations${composite ? ' (it has a composite one)' : ''}.`,
  );
}

type Row = Record<string, unknown>;

/** Groups `paths` (`['author', 'comments.author']`) by their first name: `{ author: [], comments: ['author'] }`. */
function group(paths: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const path of paths) {
    const dot = path.indexOf('.');
    const head = dot === -1 ? path : path.slice(0, dot);
    const rest = out.get(head) ?? [];
    if (dot !== -1) rest.push(path.slice(dot + 1));
    out.set(head, rest);
  }
  return out;
}

/**
 * Loads `paths` into `rows` of `table` in place: one query per relation per level, whatever the
 * number of rows (`WHERE key IN (...)`), never one per row.
 *
 * @example
 * ```ts
 * await loadRelations(executor, index, posts, rows, ['author', 'comments.author']);
 * ```
 */
export async function loadRelations(
  executor: Executor,
  index: RelationIndex,
  table: AnyTable,
  rows: Row[],
  paths: readonly string[],
): Promise<void> {
  const declared = index.relationsOf(table) ?? {};
  for (const [name, nested] of group(paths)) {
    const relation = declared[name];
    if (relation === undefined) {
      throw new QueryError(
        'FW_DB_UNKNOWN_RELATION',
        `${getTableName(table)} has no relation "${name}"; declared: ${Object.keys(declared).join(', ') || '(none: add them to createDatabase({ relations }))'}.`,
      );
    }
    const targetColumns: Record<string, Column> = getTableColumns(relation.target);
    let loaded: Row[] = [];
    if (relation.kind === 'belongsTo') {
      const target = primaryKey(relation.target);
      const ids = [
        ...new Set(rows.map((row) => row[relation.foreignKey]).filter((id) => id !== null && id !== undefined)),
      ];
      if (ids.length > 0) {
        loaded = await executor.drizzle.select().from(relation.target).where(inArray(target.column, ids)).execute();
      }
      const byId = new Map(loaded.map((row) => [row[target.name], row]));
      for (const row of rows) row[name] = byId.get(row[relation.foreignKey]) ?? null;
    } else {
      const own = primaryKey(table);
      const foreign = targetColumns[relation.foreignKey]!;
      const ids = [...new Set(rows.map((row) => row[own.name]).filter((id) => id !== null && id !== undefined))];
      if (ids.length > 0) {
        const targetKey = primaryKey(relation.target).column;
        loaded = await executor.drizzle
          .select()
          .from(relation.target)
          .where(inArray(foreign, ids))
          .orderBy(targetKey)
          .execute();
      }
      const byOwner = new Map<unknown, Row[]>();
      for (const row of loaded) {
        const owner = row[relation.foreignKey];
        const list = byOwner.get(owner) ?? [];
        list.push(row);
        byOwner.set(owner, list);
      }
      for (const row of rows) {
        const list = byOwner.get(row[own.name]) ?? [];
        row[name] = relation.kind === 'hasMany' ? list : (list[0] ?? null);
      }
    }
    if (nested.length > 0 && loaded.length > 0) await loadRelations(executor, index, relation.target, loaded, nested);
  }
}
