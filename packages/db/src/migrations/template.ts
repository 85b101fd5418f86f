import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MigrationError } from './errors.ts';

/**
 * Options of `migrator.create(name, options)`.
 *
 * @example
 * ```ts
 * await migrator.create('add_index', { format: 'sql' });
 * ```
 */
export interface CreateOptions {
  /** `ts` (default): one module with `up`/`down`; `sql`: a `.up.sql` / `.down.sql` pair. */
  format?: 'ts' | 'sql';
  /** The clock, for tests and reproducible names. Default: now. */
  now?: Date;
}

const MODULE_TEMPLATE = `import type { MigrationContext } from '@framework/db';

export async function up(db: MigrationContext): Promise<void> {
  await db.execute('');
}

export async function down(db: MigrationContext): Promise<void> {
  await db.execute('');
}
`;

/** Internal: `2026-11-26T10:15:00Z` → `20261126T101500` (UTC, sorts as text). */
export function formatStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, '')
    .replaceAll('-', '')
    .replaceAll(':', '');
}

/** Internal: a safe file-name slug: lower case, `_` between words, nothing but `[a-z0-9_]`. */
export function slugify(name: string): string {
  return name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * Internal: the next free stamp: `now`, moved on by a second while a migration of the directory already
 * sorts at or after it (two `create` calls in one second, or a clock behind the last file).
 */
export async function nextStamp(directory: string, now: Date): Promise<string> {
  const entries = await readdir(directory).catch(() => []);
  const last = entries
    .map((entry) => /^\d{8}T\d{6}/.exec(entry)?.[0])
    .filter((stamp) => stamp !== undefined)
    .sort()
    .at(-1);
  let time = now.getTime();
  while (last !== undefined && formatStamp(new Date(time)) <= last) time += 1000;
  return formatStamp(new Date(time));
}

/** Internal (use `migrator.create`): writes a new migration from the template and returns its path (the up file for SQL). */
export async function createMigrationFile(
  directory: string,
  name: string,
  options: CreateOptions = {},
): Promise<string> {
  const slug = slugify(name);
  if (slug === '') {
    throw new MigrationError(
      'FW_DB_MIGRATION_ARGUMENT',
      `"${name}" is not a usable migration name: use words such as add_users_table.`,
    );
  }
  await mkdir(directory, { recursive: true });
  const base = `${await nextStamp(directory, options.now ?? new Date())}_${slug}`;
  if (options.format === 'sql') {
    const up = join(directory, `${base}.up.sql`);
    await writeFile(up, `-- ${slug}: the change\n`, { flag: 'wx' });
    await writeFile(join(directory, `${base}.down.sql`), `-- ${slug}: undo the change\n`, { flag: 'wx' });
    return up;
  }
  const path = join(directory, `${base}.ts`);
  await writeFile(path, MODULE_TEMPLATE, { flag: 'wx' });
  return path;
}
