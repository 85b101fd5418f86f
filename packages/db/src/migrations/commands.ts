import { relative } from 'node:path';
import type { PluginCommand } from '@framework/core';
import { createMigrator, type MigratorOptions, type RollbackTarget } from './migrator.ts';

/**
 * Where a command writes: one call per line.
 *
 * @example
 * ```ts
 * const io: CommandIO = { stdout: (line) => console.log(line), stderr: (line) => console.error(line) };
 * ```
 */
export interface CommandIO {
  stdout(line: string): void;
  stderr(line: string): void;
}

/**
 * Options of `migrationCommands`: the migrator's, plus where seeds and the drizzle schema are.
 *
 * @example
 * ```ts
 * const options: MigrationCommandsOptions = { client, directory: 'migrations', seeds: 'seeds', schema: './src/schema.ts' };
 * ```
 */
export interface MigrationCommandsOptions extends MigratorOptions {
  /** The seeds directory. Default `seeds`. */
  seeds?: string;
  /** The drizzle schema module (path or exports) for `db:generate`; `--schema <path>` overrides it. */
  schema?: string | Record<string, unknown>;
}

/**
 * The names of the commands `migrationCommands` contributes (`migrate:up` and `migrate:down`
 * are aliases of `db:migrate` and `db:rollback`).
 *
 * @example
 * ```ts
 * const name: MigrationCommandName = 'db:migrate';
 * ```
 */
export type MigrationCommandName =
  | 'db:migrate'
  | 'db:rollback'
  | 'db:seed'
  | 'db:reset'
  | 'db:generate'
  | 'migrate:status'
  | 'migrate:create'
  | 'migrate:up'
  | 'migrate:down';

class UsageError extends Error {}

/** Reads `--flag value`, `--flag=value` and bare `--flag`; anything else is a positional argument. */
function parse(args: readonly string[], valued: readonly string[], bare: readonly string[]) {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [key = '', inline] = arg.slice(2).split(/=(.*)/s);
    if (bare.includes(key) && inline === undefined) flags.set(key, 'true');
    else if (valued.includes(key)) {
      const value = inline ?? args[++i];
      if (value === undefined || value === '') throw new UsageError(`--${key} needs a value.`);
      flags.set(key, value);
    } else throw new UsageError(`Unknown option ${arg}.`);
  }
  return { flags, positional };
}

function rollbackTarget(flags: Map<string, string>): RollbackTarget {
  const steps = flags.get('steps');
  const to = flags.get('to');
  if ([steps, to, flags.get('all')].filter((flag) => flag !== undefined).length > 1) {
    throw new UsageError('Pass only one of --steps, --to and --all.');
  }
  if (steps !== undefined) {
    if (!/^[1-9]\d*$/.test(steps)) throw new UsageError(`--steps needs a positive whole number, got ${steps}.`);
    return { steps: Number(steps) };
  }
  if (to !== undefined) return { to };
  return flags.has('all') ? { all: true } : {};
}

/**
 * The migration commands for the CLI, bound to one client and directory: `db:migrate`,
 * `db:rollback`, `db:seed`, `db:reset`, `db:generate`, `migrate:status`, `migrate:create`
 * (plus the aliases `migrate:up` / `migrate:down`).
 *
 * @example
 * ```ts
 * const commands = migrationCommands({ client, directory: 'migrations' });
 * const code = await commands['db:migrate'].run([], { stdout: console.log, stderr: console.error });
 * process.exitCode = code;
 * ```
 */
export function migrationCommands(options: MigrationCommandsOptions): Record<MigrationCommandName, PluginCommand> {
  const migrator = createMigrator(options);
  const show = (path: string) => relative(process.cwd(), path) || path;
  const command = (
    description: string,
    usage: string,
    valued: readonly string[],
    bare: readonly string[],
    body: (parsed: ReturnType<typeof parse>, io: CommandIO) => Promise<number>,
  ): PluginCommand => ({
    description,
    usage,
    async run(args, io) {
      try {
        return await body(parse(args, valued, bare), io);
      } catch (error) {
        if (error instanceof UsageError) {
          io.stderr(error.message);
          io.stderr(`Usage: framework ${usage}`);
          return 2;
        }
        io.stderr(error instanceof Error ? error.message : String(error));
        return 1;
      }
    },
  });
  const noPositional = (parsed: ReturnType<typeof parse>) => {
    if (parsed.positional.length > 0) throw new UsageError(`Unexpected argument ${parsed.positional[0]}.`);
  };

  const migrate = command('Apply every pending migration', 'db:migrate', [], [], async (parsed, io) => {
    noPositional(parsed);
    const { batch, migrations } = await migrator.latest();
    for (const name of migrations) io.stdout(`Applied ${name}`);
    io.stdout(
      batch === undefined
        ? 'Nothing to migrate: the database is up to date.'
        : `Batch ${batch}: ${migrations.length} migration(s) applied.`,
    );
    return 0;
  });
  const rollback = command(
    'Undo the last batch of migrations (or --steps N, --to NAME, --all)',
    'db:rollback [--steps N | --to NAME | --all]',
    ['steps', 'to'],
    ['all'],
    async (parsed, io) => {
      noPositional(parsed);
      const { migrations } = await migrator.rollback(rollbackTarget(parsed.flags));
      for (const name of migrations) io.stdout(`Rolled back ${name}`);
      if (migrations.length === 0) io.stdout('Nothing to roll back.');
      return 0;
    },
  );

  return {
    'db:migrate': migrate,
    'db:rollback': rollback,
    'migrate:up': { ...migrate, usage: 'migrate:up' },
    'migrate:down': { ...rollback, usage: 'migrate:down [--steps N | --to NAME | --all]' },
    'db:seed': command('Run the seed files in name order', 'db:seed [--dir DIR]', ['dir'], [], async (parsed, io) => {
      noPositional(parsed);
      const seeds = await migrator.seed({ directory: parsed.flags.get('dir') ?? options.seeds ?? 'seeds' });
      for (const name of seeds) io.stdout(`Seeded ${name}`);
      if (seeds.length === 0) io.stdout('No seed files found.');
      return 0;
    }),
    'db:reset': command('Roll back every migration, then apply them all', 'db:reset', [], [], async (parsed, io) => {
      noPositional(parsed);
      const { rolledBack, migrations } = await migrator.reset();
      for (const name of rolledBack) io.stdout(`Rolled back ${name}`);
      for (const name of migrations) io.stdout(`Applied ${name}`);
      io.stdout(`Reset: ${rolledBack.length} rolled back, ${migrations.length} applied.`);
      return 0;
    }),
    'db:generate': command(
      'Write an up/down SQL migration from changes to the drizzle schema (--baseline: record the schema as already applied)',
      'db:generate <name> [--schema PATH] | db:generate --baseline [--schema PATH]',
      ['schema'],
      ['baseline'],
      async (parsed, io) => {
        const baseline = parsed.flags.has('baseline');
        const [name, extra] = parsed.positional;
        if (baseline ? name !== undefined : name === undefined || extra !== undefined) {
          throw new UsageError(baseline ? '--baseline takes no migration name.' : 'Give exactly one migration name.');
        }
        const schema = parsed.flags.get('schema') ?? options.schema;
        if (schema === undefined)
          throw new UsageError('No schema: pass --schema PATH (the module exporting your tables).');
        const result = await migrator.generate({ schema, name: name ?? 'baseline', baseline });
        if (result === undefined) {
          io.stdout('No schema changes: nothing generated.');
          return 0;
        }
        if (result.baseline) {
          io.stdout(
            `Recorded the current schema in the snapshot as already applied (${result.statements.length} statement(s) not written); ` +
              'the next db:generate writes only later changes.',
          );
          return 0;
        }
        io.stdout(`Created ${show(result.up)} (${result.statements.length} statement(s))`);
        io.stdout(`Created ${show(result.down)}`);
        return 0;
      },
    ),
    'migrate:status': command(
      'List applied, pending, changed and missing migrations (exit 1 when any applied file changed or is missing)',
      'migrate:status',
      [],
      [],
      async (parsed, io) => {
        noPositional(parsed);
        const status = await migrator.status();
        for (const row of status.applied) {
          io.stdout(
            `${row.state === 'ok' ? 'applied' : row.state}  ${row.name}  batch ${row.batch}  ${row.appliedAt.toISOString()}`,
          );
        }
        for (const name of status.pending) io.stdout(`pending  ${name}`);
        io.stdout(
          `${status.applied.length} applied, ${status.pending.length} pending, ${status.changed.length} changed, ${status.missing.length} missing.`,
        );
        if (status.changed.length + status.missing.length === 0) return 0;
        io.stderr(
          'Applied migrations changed or went missing: restore them as they were applied and put new changes in new migrations.',
        );
        return 1;
      },
    ),
    'migrate:create': command(
      'Create an empty timestamped migration (--sql for an up/down SQL pair)',
      'migrate:create <name> [--sql]',
      [],
      ['sql'],
      async (parsed, io) => {
        const [name, extra] = parsed.positional;
        if (name === undefined || extra !== undefined) throw new UsageError('Give exactly one migration name.');
        const path = await migrator.create(name, { format: parsed.flags.has('sql') ? 'sql' : 'ts' });
        io.stdout(`Created ${show(path)}`);
        return 0;
      },
    ),
  };
}
