// Internal to the migrator: nothing here is exported from the package entry point.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MigrationContext } from './context.ts';
import { MigrationError } from './errors.ts';

const SEED_FILE = /^[^.][^.]*\.(?:ts|mts|js|mjs|sql)$/;

/**
 * Runs every seed of a directory in name order: a module exporting `seed(db)` or a `.sql` file.
 * `run` wraps each one (in a transaction, under the migration lock). A missing directory is an error.
 */
export async function runSeeds(
  directory: string,
  run: (name: string, fn: (db: MigrationContext) => Promise<unknown>) => Promise<void>,
): Promise<string[]> {
  const entries = await readdir(directory).catch((error: unknown) => {
    throw new MigrationError(
      'FW_DB_MIGRATION_ARGUMENT',
      `Cannot read the seeds directory ${directory} (${error instanceof Error ? error.message : String(error)}): create it or pass \`directory\`.`,
    );
  });
  const names = entries.filter((entry) => SEED_FILE.test(entry)).sort();
  const done: string[] = [];
  for (const name of names) {
    const path = join(directory, name);
    if (name.endsWith('.sql')) {
      const text = await readFile(path, 'utf8');
      await run(name, (db) => db.execute(text));
    } else {
      const module: unknown = await import(pathToFileURL(path).href);
      const seed: unknown = typeof module === 'object' && module !== null ? Reflect.get(module, 'seed') : undefined;
      if (typeof seed !== 'function') {
        throw new MigrationError(
          'FW_DB_MIGRATION_FILE',
          `${path} does not export a \`seed(db)\` function: add \`export async function seed(db: MigrationContext) { ... }\`.`,
          { migration: name },
        );
      }
      await run(name, async (db) => {
        const result: unknown = await seed(db);
        return result;
      });
    }
    done.push(name);
  }
  return done;
}
