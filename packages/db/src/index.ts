// Query cache

// Time: @framework/core's Duration, which every time option takes
export type { Duration } from '@framework/core';
// Raw SQL fragments (drizzle's), for checks, defaults and plain drizzle queries
export { sql } from 'drizzle-orm';
export type { CachedQueryOptions } from './cache/cached-query.ts';
export { CachedQuery } from './cache/cached-query.ts';
export { MemoryQueryCacheStore } from './cache/memory-query-cache-store.ts';
export type { QueryCacheOptions } from './cache/query-cache.ts';
export { QueryCache } from './cache/query-cache.ts';
export type { QueryCacheSetOptions, QueryCacheStore } from './cache/query-cache-store.ts';
// Connections
export type { ClientDrizzleOptions, ClientTarget, SqlClient, SqlSession } from './client.ts';
export { openClient } from './client.ts';
// Errors
export { DatabaseConnectionError } from './connection-errors.ts';
// The database
export type { ConnectionOptions, Database, DatabaseApi, DatabaseOptions } from './database.ts';
export { createDatabase } from './database.ts';
export type { DatabaseErrorOptions, DbErrorCode } from './errors.ts';
export {
  ConstraintViolationError,
  DatabaseTimeoutError,
  DatabaseUnavailableError,
  DB_ERROR_CODES,
  ForeignKeyViolationError,
  QueryError,
  toDatabaseError,
  UniqueViolationError,
} from './errors.ts';
// Migrations
export type { CommandIO, MigrationCommandName, MigrationCommandsOptions } from './migrations/commands.ts';
export { migrationCommands } from './migrations/commands.ts';
export type { MigrationCasing, MigrationContext } from './migrations/context.ts';
export type { MigrationErrorCode } from './migrations/errors.ts';
export { isMigrationError, MIGRATION_ERROR_CODES, MigrationError } from './migrations/errors.ts';
export type { MigrationFile } from './migrations/files.ts';
export type { GenerateOptions, GenerateResult } from './migrations/generate.ts';
export { generateMigration } from './migrations/generate.ts';
export type { AppliedMigration } from './migrations/history.ts';
export type { MigrationStatus, Migrator, MigratorOptions, RollbackTarget } from './migrations/migrator.ts';
export { createMigrator } from './migrations/migrator.ts';
export type { CreateOptions } from './migrations/template.ts';
// Models and queries
export type { Aggregate, ColumnKey } from './model.ts';
export { avg, count, Model, max, min, QueryBuilder, sum } from './model.ts';
// Query performance
export type { Trace } from './perf/call-site.ts';
export type { ExplainJson, ExplainOptions, ExplainResult, PlanNode } from './perf/explain.ts';
export type { NPlusOneOptions } from './perf/n-plus-one.ts';
export type { PerformanceOptions } from './perf/query-tools.ts';
export type { PerfLogger, SlowQueryOptions } from './perf/slow-query.ts';
export type { QueryEvent, QueryObserver } from './perf/statement-log.ts';
// The plugin
export type { DatabaseExports } from './plugin.ts';
export { database } from './plugin.ts';
// Relations
export type { Relation, RelationMap, RelationPath, WithRelations } from './relations.ts';
export { belongsTo, hasMany, hasOne } from './relations.ts';
// Schema
export {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  doublePrecision,
  foreignKey,
  index,
  integer,
  json,
  jsonb,
  numeric,
  primaryKey,
  real,
  serial,
  smallint,
  table,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
  varchar,
} from './schema.ts';
// Tables and rows
export type { AnyTable, NewRowOf, RowOf } from './types.ts';
export type { WatchErrorCode } from './watch/watch-error.ts';
export { isWatchError, WATCH_ERROR_CODES, WatchError } from './watch/watch-error.ts';
// Live queries
export type {
  ChangeEvent,
  ChangeListener,
  PartialDeleteEvent,
  RowChangeEvent,
  TableWatcher,
  WatchTableOptions,
} from './watch/watch-table.ts';
export { watchTable } from './watch/watch-table.ts';
export type { WatchTarget } from './watch/watch-trigger.ts';
export { dropWatchTrigger, installWatchTrigger, watchChannel } from './watch/watch-trigger.ts';
export type { FilterValue } from './watch/watch-values.ts';
export type { Operators, Where } from './where.ts';
