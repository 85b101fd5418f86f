// Internal to the migrator: nothing here is exported from the package entry point.
import { MigrationError } from './errors.ts';

/** The programmatic API of drizzle-kit (`drizzle-kit/api`). */
export type DrizzleKit = typeof import('drizzle-kit/api');
/** A drizzle-kit PostgreSQL schema snapshot. */
export type Snapshot = ReturnType<DrizzleKit['generateDrizzleJson']>;

let loading: Promise<DrizzleKit> | undefined;

/**
 * Imports drizzle-kit on first use only: it takes about a second to load and only `createTable`
 * and `generate` need it.
 */
export function loadDrizzleKit(): Promise<DrizzleKit> {
  loading ??= import('drizzle-kit/api').catch((error: unknown) => {
    loading = undefined;
    throw new MigrationError(
      'FW_DB_MIGRATION_GENERATE',
      'drizzle-kit could not be loaded (createTable and generate use it to render DDL): run `npm install drizzle-kit`.',
      { cause: error },
    );
  });
  return loading;
}

/** Runs a drizzle-kit diff and turns its "needs a terminal to ask about a rename" failure into advice. */
export async function diffSnapshots(kit: DrizzleKit, from: Snapshot, to: Snapshot): Promise<string[]> {
  try {
    return await kit.generateMigration(from, to);
  } catch (error) {
    throw new MigrationError(
      'FW_DB_MIGRATION_GENERATE',
      'drizzle-kit could not diff the schema without asking whether a table or column was renamed ' +
        `(${error instanceof Error ? error.message : String(error)}). Run the command in a terminal to answer, ` +
        'or make the change in two steps: generate the removal, then the addition.',
      { cause: error },
    );
  }
}
