import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMigrationError } from '../src/migrations/errors.ts';
import { readMigrationFiles } from '../src/migrations/files.ts';
import { splitStatements } from '../src/migrations/sql-text.ts';
import { createMigrationFile } from '../src/migrations/template.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fw-migration-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('create()', () => {
  it('names files <UTC stamp>_<slug>, keeps them in order within one second, and writes a runnable template', async () => {
    const now = new Date('2026-11-26T10:15:00.123Z');
    const first = await createMigrationFile(dir, 'Create Users', { now });
    const second = await createMigrationFile(dir, 'addEmailIndex!', { now });
    const third = await createMigrationFile(dir, 'seed roles', { now, format: 'sql' });
    expect([first, second, third].map((path) => basename(path))).toEqual([
      '20261126T101500_create_users.ts',
      '20261126T101501_add_email_index.ts',
      '20261126T101502_seed_roles.up.sql',
    ]);
    expect((await readdir(dir)).sort()).toContain('20261126T101502_seed_roles.down.sql');
    expect(await readFile(first, 'utf8')).toContain('export async function up(db: MigrationContext)');
    expect((await readMigrationFiles(dir)).map((file) => file.name)).toEqual([
      '20261126T101500_create_users',
      '20261126T101501_add_email_index',
      '20261126T101502_seed_roles',
    ]);
  });

  it('refuses a name with nothing usable in it', async () => {
    const error = await createMigrationFile(dir, ' !! ').catch((reason: unknown) => reason);
    expect(isMigrationError(error) && error.code).toBe('FW_DB_MIGRATION_ARGUMENT');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('the migrations directory', () => {
  it('orders by name, ignores other files, and checksums content (both files of a SQL pair)', async () => {
    await writeFile(join(dir, '002_b.up.sql'), 'select 2;');
    await writeFile(join(dir, '002_b.down.sql'), 'select -2;');
    await writeFile(join(dir, '001_a.ts'), 'export const up = () => {};');
    await writeFile(join(dir, 'README.md'), '# notes');
    await writeFile(join(dir, 'helpers.ts'), 'export {};');
    await writeFile(join(dir, '001_a.d.ts'), 'export {};');
    const files = await readMigrationFiles(dir);
    expect(files.map((file) => [file.name, file.kind])).toEqual([
      ['001_a', 'module'],
      ['002_b', 'sql'],
    ]);
    const before = files[1]?.checksum;
    await writeFile(join(dir, '002_b.down.sql'), 'select -3;');
    expect((await readMigrationFiles(dir))[1]?.checksum).not.toBe(before);
    expect(await readMigrationFiles(join(dir, 'absent'))).toEqual([]);
  });

  it('rejects two migrations with one name, and a down file without its up', async () => {
    await writeFile(join(dir, '001_a.ts'), 'export const up = () => {};');
    await writeFile(join(dir, '001_a.up.sql'), 'select 1;');
    const duplicate = await readMigrationFiles(dir).catch((reason: unknown) => reason);
    expect(isMigrationError(duplicate) && duplicate.message).toContain('Two migrations are named 001_a');
    await rm(join(dir, '001_a.ts'));
    await rm(join(dir, '001_a.up.sql'));
    await writeFile(join(dir, '002_b.down.sql'), 'select 1;');
    const orphan = await readMigrationFiles(dir).catch((reason: unknown) => reason);
    expect(isMigrationError(orphan) && orphan.message).toContain('002_b.down.sql has no 002_b.up.sql');
  });
});

describe('splitStatements', () => {
  it('splits on top-level semicolons and drizzle-kit breakpoints, never inside quotes, comments or $$ bodies', () => {
    expect(
      splitStatements(`create table "a;b" (x text default 'c;d'); -- trailing; comment
/* block; comment */ select $tag$ e;f $tag$;
select $$ g; $$
--> statement-breakpoint
select 1`),
    ).toEqual([
      `create table "a;b" (x text default 'c;d');`,
      `-- trailing; comment
/* block; comment */ select $tag$ e;f $tag$;`,
      'select $$ g; $$',
      'select 1',
    ]);
    expect(splitStatements('-- only a comment\n')).toEqual([]);
  });
});
