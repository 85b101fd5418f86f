import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MigrationCasing } from './context.ts';
import { MigrationError } from './errors.ts';
import { diffSnapshots, loadDrizzleKit, type Snapshot } from './kit.ts';
import { STATEMENT_BREAKPOINT } from './sql-text.ts';
import { nextStamp, slugify } from './template.ts';

/**
 * Options of `generateMigration`.
 *
 * @example
 * ```ts
 * const options: GenerateOptions = { schema: './src/schema.ts', directory: 'migrations', name: 'add_posts' };
 * ```
 */
export interface GenerateOptions {
  /** The drizzle schema: a module's exports (`import * as schema`) or the path of that module. */
  schema: Record<string, unknown> | string;
  /** The migrations directory; the snapshot is kept in `<directory>/meta/snapshot.json`. */
  directory: string;
  /** The name after the stamp, e.g. `add_posts` (unused with `baseline`). */
  name: string;
  /**
   * Records the schema as it is now in the snapshot and writes no SQL: for a database whose
   * tables already exist (hand-written migrations, an existing database), so that the next
   * `generate` writes only what changes after this point instead of creating every table again.
   */
  baseline?: boolean;
  /** Column naming, as drizzle's `casing`. Default: as written. */
  casing?: MigrationCasing | undefined;
  /** The clock, for reproducible names. Default: now. */
  now?: Date;
}

/**
 * What `generateMigration` wrote.
 *
 * @example
 * ```ts
 * const result = await generateMigration({ schema, directory: 'migrations', name: 'init' });
 * if (result) console.log(result.up, result.statements.length);
 * ```
 */
export interface GenerateResult {
  /** The migration's name, e.g. `20261126T101500_add_posts`; `baseline` for a baseline. */
  name: string;
  /** Paths of the `.up.sql` and `.down.sql` files; empty for a baseline, which writes none. */
  up: string;
  down: string;
  /** The statements of the up file; for a baseline, the ones it recorded as already applied. */
  statements: string[];
  /** True when the snapshot was recorded without writing a migration. */
  baseline?: boolean;
}

/**
 * Compares a drizzle schema with the snapshot of the last generation and writes the difference
 * as `<stamp>_<name>.up.sql`, with the reverse difference as `<stamp>_<name>.down.sql`, then
 * updates the snapshot. Resolves to `undefined` (and writes nothing) when nothing changed.
 * drizzle-kit renders the SQL; when a change could be a rename it must ask, which needs a terminal.
 *
 * @example
 * ```ts
 * import * as schema from './schema.ts';
 * await generateMigration({ schema, directory: 'migrations', name: 'add_posts' });
 * ```
 */
export async function generateMigration(options: GenerateOptions): Promise<GenerateResult | undefined> {
  const slug = options.baseline ? 'baseline' : slugify(options.name);
  if (slug === '') {
    throw new MigrationError(
      'FW_DB_MIGRATION_ARGUMENT',
      `"${options.name}" is not a usable migration name: use words such as add_posts.`,
    );
  }
  const kit = await loadDrizzleKit();
  const directory = resolve(options.directory);
  const snapshotPath = join(directory, 'meta', 'snapshot.json');
  const previous = (await readSnapshot(snapshotPath)) ?? kit.generateDrizzleJson({});
  const schema = typeof options.schema === 'string' ? await importSchema(options.schema) : options.schema;
  const next = kit.generateDrizzleJson(schema, previous.id, undefined, options.casing);
  const statements = await diffSnapshots(kit, previous, next);
  if (statements.length === 0) return undefined;
  if (options.baseline) {
    await mkdir(join(directory, 'meta'), { recursive: true });
    await writeSnapshot(snapshotPath, next);
    return { name: 'baseline', up: '', down: '', statements, baseline: true };
  }
  const reverse = await diffSnapshots(kit, next, previous);
  const name = `${await nextStamp(directory, options.now ?? new Date())}_${slug}`;
  const up = join(directory, `${name}.up.sql`);
  const down = join(directory, `${name}.down.sql`);
  await mkdir(join(directory, 'meta'), { recursive: true });
  await writeFile(up, render(statements), { flag: 'wx' });
  await writeFile(down, render(reverse), { flag: 'wx' });
  await writeSnapshot(snapshotPath, next);
  return { name, up, down, statements };
}

async function writeSnapshot(path: string, snapshot: Snapshot): Promise<void> {
  // Written aside then renamed, so an interrupted run never leaves half a snapshot.
  await writeFile(`${path}.tmp`, `${JSON.stringify(snapshot, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}

function render(statements: readonly string[]): string {
  return `${statements.map((statement) => statement.trim()).join(`\n${STATEMENT_BREAKPOINT}\n`)}\n`;
}

async function readSnapshot(path: string): Promise<Snapshot | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MigrationError(
      'FW_DB_MIGRATION_GENERATE',
      `${path} is not valid JSON (${error instanceof Error ? error.message : String(error)}): restore it from version control.`,
    );
  }
}

async function importSchema(path: string): Promise<Record<string, unknown>> {
  const module: unknown = await import(pathToFileURL(resolve(path)).href);
  if (typeof module !== 'object' || module === null) {
    throw new MigrationError('FW_DB_MIGRATION_GENERATE', `${path} exports nothing: export the drizzle tables from it.`);
  }
  return Object.fromEntries(Object.entries(module));
}
