import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { integer, pgTable, serial, text } from 'drizzle-orm/pg-core';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationCommands } from '../src/migrations/commands.ts';
import { createMigrator } from '../src/migrations/migrator.ts';
import { kinds, openTestDatabase, type TestDatabase } from './fixtures/migrations/targets.ts';

const before = { notes: pgTable('notes', { id: serial().primaryKey(), body: text().notNull() }) };
const after = {
  notes: pgTable('notes', { id: serial().primaryKey(), body: text().notNull(), stars: integer().notNull().default(0) }),
};

describe.each(kinds)('db:generate --baseline after hand-written migrations on %s (issue 12)', (kind) => {
  let db: TestDatabase;
  afterEach(async () => {
    await db?.close();
  });

  it('records the existing tables without SQL; the next generate writes only the change', async () => {
    db = await openTestDatabase(kind);
    const migrator = createMigrator({ client: db.client, directory: db.dir });
    // A hand-written migration created the table: the snapshot knows nothing of it.
    await writeFile(
      join(db.dir, '001_notes.up.sql'),
      'create table notes (id serial primary key, body text not null);',
    );
    await writeFile(join(db.dir, '001_notes.down.sql'), 'drop table notes;');
    await migrator.latest();

    const schemaFile = join(import.meta.dirname, 'fixtures/migrations/notes-v1.ts');
    const commands = migrationCommands({ client: db.client, directory: db.dir });
    const out: string[] = [];
    const io = { stdout: (line: string) => out.push(line), stderr: (line: string) => out.push(line) };
    expect(await commands['db:generate'].run(['--baseline', '--schema', schemaFile], io)).toBe(0);
    expect(out.join('\n')).toContain(
      'Recorded the current schema in the snapshot as already applied (1 statement(s) not written)',
    );
    expect((await readdir(db.dir)).filter((file) => file.endsWith('.sql'))).toEqual([
      '001_notes.down.sql',
      '001_notes.up.sql',
    ]);
    expect(await migrator.generate({ schema: before, name: 'nothing' })).toBeUndefined();

    const next = await migrator.generate({ schema: after, name: 'add_stars' });
    expect(next?.statements).toEqual(['ALTER TABLE "notes" ADD COLUMN "stars" integer DEFAULT 0 NOT NULL;']);
    await migrator.latest();
    expect(await db.columns('notes')).toEqual(['id integer', 'body text', 'stars integer']);
  });

  it('without a baseline, the same generate would create the existing table again (what --baseline avoids)', async () => {
    db = await openTestDatabase(kind);
    const migrator = createMigrator({ client: db.client, directory: db.dir });
    const result = await migrator.generate({ schema: before, name: 'again' });
    expect(result?.statements[0]).toContain('CREATE TABLE "notes"');
  });
});
