import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// Every public name of the package, entry by entry: a rename or a removal changes this snapshot,
// so it shows in review as a decision rather than slipping through.
describe('public exports of @framework/db', () => {
  it('lists the runtime exports of every entry point', async () => {
    const entries = {
      '.': await import('../src/index.ts'),
    };
    const names = Object.fromEntries(
      Object.entries(entries).map(([entry, module]) => [entry, Object.keys(module).sort()]),
    );
    expect(names).toMatchInlineSnapshot(`
      {
        ".": [
          "CachedQuery",
          "ConstraintViolationError",
          "DB_ERROR_CODES",
          "DatabaseConnectionError",
          "DatabaseTimeoutError",
          "DatabaseUnavailableError",
          "ForeignKeyViolationError",
          "MIGRATION_ERROR_CODES",
          "MemoryQueryCacheStore",
          "MigrationError",
          "Model",
          "QueryBuilder",
          "QueryCache",
          "QueryError",
          "UniqueViolationError",
          "WATCH_ERROR_CODES",
          "WatchError",
          "avg",
          "belongsTo",
          "bigint",
          "bigserial",
          "boolean",
          "check",
          "count",
          "createDatabase",
          "createMigrator",
          "database",
          "date",
          "doublePrecision",
          "dropWatchTrigger",
          "foreignKey",
          "generateMigration",
          "hasMany",
          "hasOne",
          "index",
          "installWatchTrigger",
          "integer",
          "isMigrationError",
          "isWatchError",
          "json",
          "jsonb",
          "max",
          "migrationCommands",
          "min",
          "numeric",
          "openClient",
          "primaryKey",
          "real",
          "serial",
          "smallint",
          "sql",
          "sum",
          "table",
          "text",
          "timestamp",
          "toDatabaseError",
          "unique",
          "uniqueIndex",
          "uuid",
          "varchar",
          "watchChannel",
          "watchTable",
        ],
      }
    `);
  });

  it('lists the type-only exports of every entry point', () => {
    const files = { '.': '../src/index.ts' };
    const types = Object.fromEntries(
      Object.entries(files).map(([entry, file]) => {
        const source = readFileSync(new URL(file, import.meta.url), 'utf8');
        const names = [...source.matchAll(/export type \{([^}]*)\}/g)].flatMap((match) =>
          (match[1] ?? '')
            .split(',')
            .map((name) => name.trim())
            .filter((name) => name !== ''),
        );
        return [entry, names.sort()];
      }),
    );
    expect(types).toMatchInlineSnapshot(`
      {
        ".": [
          "Aggregate",
          "AnyTable",
          "AppliedMigration",
          "CachedQueryOptions",
          "ChangeEvent",
          "ChangeListener",
          "ClientDrizzleOptions",
          "ClientTarget",
          "ColumnKey",
          "CommandIO",
          "ConnectionOptions",
          "CreateOptions",
          "Database",
          "DatabaseApi",
          "DatabaseErrorOptions",
          "DatabaseExports",
          "DatabaseOptions",
          "DbErrorCode",
          "Duration",
          "ExplainJson",
          "ExplainOptions",
          "ExplainResult",
          "FilterValue",
          "GenerateOptions",
          "GenerateResult",
          "MigrationCasing",
          "MigrationCommandName",
          "MigrationCommandsOptions",
          "MigrationContext",
          "MigrationErrorCode",
          "MigrationFile",
          "MigrationStatus",
          "Migrator",
          "MigratorOptions",
          "NPlusOneOptions",
          "NewRowOf",
          "Operators",
          "PartialDeleteEvent",
          "PerfLogger",
          "PerformanceOptions",
          "PlanNode",
          "QueryCacheOptions",
          "QueryCacheStore",
          "QueryEvent",
          "QueryObserver",
          "Relation",
          "RelationMap",
          "RelationPath",
          "RollbackTarget",
          "RowChangeEvent",
          "RowOf",
          "SlowQueryOptions",
          "SqlClient",
          "SqlSession",
          "TableWatcher",
          "Trace",
          "WatchErrorCode",
          "WatchTableOptions",
          "WatchTarget",
          "Where",
          "WithRelations",
        ],
      }
    `);
  });
});
