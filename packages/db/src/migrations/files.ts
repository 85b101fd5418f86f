import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MigrationContext } from './context.ts';
import { MigrationError } from './errors.ts';

/**
 * One migration found on disk: a module exporting `up`/`down`, or a `<name>.up.sql` /
 * `<name>.down.sql` pair. `checksum` is the sha256 of its content (both files for a pair).
 *
 * @example
 * ```ts
 * const files = await readMigrationFiles('migrations');
 * console.log(files.map((file) => `${file.name} ${file.checksum.slice(0, 8)}`));
 * ```
 */
export interface MigrationFile {
  /** The file name without its extension(s), e.g. `20261126T101500_create_users`; sorts the migrations. */
  readonly name: string;
  readonly kind: 'module' | 'sql';
  /** The module, or the `.up.sql` file. */
  readonly path: string;
  /** The `.down.sql` file of a pair, when there is one. */
  readonly downPath: string | undefined;
  readonly checksum: string;
}

const MODULE_FILE = /^(\d[^.]*)\.(?:ts|mts|js|mjs)$/;
const SQL_FILE = /^(\d[^.]*)\.(up|down)\.sql$/;

/**
 * Lists the migrations of a directory in order (by name, compared character by character, so
 * prefixes must sort: `001_`, `002_` or a `YYYYMMDDTHHMMSS_` stamp). Other files are ignored;
 * a missing directory holds no migrations.
 *
 * @example
 * ```ts
 * for (const file of await readMigrationFiles('migrations')) console.log(file.name);
 * ```
 */
export async function readMigrationFiles(directory: string): Promise<MigrationFile[]> {
  const entries = await readdir(directory, { withFileTypes: true }).catch((error: unknown) => {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return [];
    throw error;
  });
  const found = new Map<string, { module?: string; up?: string; down?: string }>();
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const module = MODULE_FILE.exec(entry.name);
    const pair = SQL_FILE.exec(entry.name);
    const name = module?.[1] ?? pair?.[1];
    if (name === undefined) continue;
    const slot = found.get(name) ?? {};
    const path = resolve(join(directory, entry.name));
    if (module !== null) {
      if (slot.module !== undefined || slot.up !== undefined) throw duplicate(name);
      slot.module = path;
    } else if (pair?.[2] === 'up') {
      if (slot.module !== undefined) throw duplicate(name);
      slot.up = path;
    } else slot.down = path;
    found.set(name, slot);
  }
  const files: MigrationFile[] = [];
  for (const [name, slot] of found) {
    if (slot.module !== undefined) {
      if (slot.down !== undefined) throw duplicate(name);
      files.push({
        name,
        kind: 'module',
        path: slot.module,
        downPath: undefined,
        checksum: await checksum([slot.module]),
      });
    } else if (slot.up !== undefined) {
      const paths = slot.down === undefined ? [slot.up] : [slot.up, slot.down];
      files.push({ name, kind: 'sql', path: slot.up, downPath: slot.down, checksum: await checksum(paths) });
    } else {
      throw new MigrationError(
        'FW_DB_MIGRATION_FILE',
        `${name}.down.sql has no ${name}.up.sql beside it in ${directory}: add the up file or remove the down file.`,
        { migration: name },
      );
    }
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function duplicate(name: string): MigrationError {
  return new MigrationError(
    'FW_DB_MIGRATION_FILE',
    `Two migrations are named ${name} (a module and SQL files): keep one form and rename or remove the other.`,
    { migration: name },
  );
}

async function checksum(paths: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const [index, path] of paths.entries()) {
    if (index > 0) hash.update('\0');
    hash.update(await readFile(path));
  }
  return hash.digest('hex');
}

/** Internal: what a migration module provides once loaded. */
export interface LoadedMigration {
  up(db: MigrationContext): Promise<unknown>;
  down: ((db: MigrationContext) => Promise<unknown>) | undefined;
}

/** Internal: imports a migration module (or reads a SQL pair) and checks it has what it needs. */
export async function loadMigration(file: MigrationFile): Promise<LoadedMigration> {
  if (file.kind === 'sql') {
    const up = await readFile(file.path, 'utf8');
    const down = file.downPath === undefined ? undefined : await readFile(file.downPath, 'utf8');
    return {
      up: (db) => db.execute(up),
      down: down === undefined ? undefined : (db) => db.execute(down),
    };
  }
  const module: unknown = await import(pathToFileURL(file.path).href);
  const up = exported(module, 'up');
  if (up === undefined) {
    throw new MigrationError(
      'FW_DB_MIGRATION_FILE',
      `${file.path} does not export an \`up(db)\` function: add \`export async function up(db: MigrationContext) { ... }\`.`,
      { migration: file.name },
    );
  }
  return { up, down: exported(module, 'down') };
}

function exported(module: unknown, key: string): ((db: MigrationContext) => Promise<unknown>) | undefined {
  if (typeof module !== 'object' || module === null || !(key in module)) return undefined;
  const value: unknown = Reflect.get(module, key);
  if (typeof value !== 'function') return undefined;
  return async (db) => {
    const result: unknown = await value(db);
    return result;
  };
}
