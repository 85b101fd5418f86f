import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { integer, pgTable, serial, text } from 'drizzle-orm/pg-core';
import { afterEach, describe, expect, it } from 'vitest';
import { generateMigration } from '../src/migrations/generate.ts';
import { createMigrator } from '../src/migrations/migrator.ts';
import { kinds, openTestDatabase, type TestDatabase } from './fixtures/migrations/targets.ts';

const v1 = { posts: pgTable('posts', { id: serial().primaryKey(), title: text().notNull() }) };
const v2 = {
  posts: pgTable('posts', {
    id: serial().primaryKey(),
    title: text().notNull(),
    views: integer().notNull().default(0),
  }),
};

describe.each(kinds)('migrations generated from the drizzle schema on %s', (kind) => {
  let db: TestDatabase;
  afterEach(async () => {
    await db?.close();
  });

  it('round trip: add a table, migrate, add a column, migrate, roll back step by step', async () => {
    db = await openTestDatabase(kind);
    const migrator = createMigrator({ client: db.client, directory: db.dir });

    const first = await migrator.generate({ schema: v1, name: 'add posts' });
    expect(first?.name).toMatch(/^\d{8}T\d{6}_add_posts$/);
    expect(await readFile(first?.up ?? '', 'utf8')).toContain('CREATE TABLE "posts"');
    expect(await readFile(first?.down ?? '', 'utf8')).toContain('DROP TABLE "posts"');
    await migrator.latest();
    expect(await db.columns('posts')).toEqual(['id integer', 'title text']);

    const second = await migrator.generate({ schema: v2, name: 'add_views' });
    expect(second?.statements).toEqual(['ALTER TABLE "posts" ADD COLUMN "views" integer DEFAULT 0 NOT NULL;']);
    expect(second !== undefined && first !== undefined && second.name > first.name).toBe(true);
    await db.client.query("insert into posts (title) values ('kept')");
    await migrator.latest();
    expect(await db.columns('posts')).toEqual(['id integer', 'title text', 'views integer']);
    expect(await db.client.query('select title, views from posts')).toEqual([{ title: 'kept', views: 0 }]);

    expect(await migrator.generate({ schema: v2, name: 'nothing' })).toBeUndefined();

    await migrator.rollback();
    expect(await db.columns('posts')).toEqual(['id integer', 'title text']);
    await migrator.rollback();
    expect(await db.columns('posts')).toEqual([]);
    const snapshot = JSON.parse(await readFile(join(db.dir, 'meta', 'snapshot.json'), 'utf8'));
    expect(Object.keys(snapshot.tables)).toEqual(['public.posts']);
  });
});

describe('generateMigration', () => {
  it('reads the schema from a module path and writes nothing when nothing changed', async () => {
    const { mkdtemp, readdir, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const directory = await mkdtemp(join(tmpdir(), 'fw-generate-'));
    try {
      const schema = join(import.meta.dirname, 'fixtures/migrations/schema-v1.ts');
      const result = await generateMigration({
        schema,
        directory,
        name: 'init',
        now: new Date('2026-11-26T10:15:00Z'),
      });
      expect(result?.name).toBe('20261126T101500_init');
      expect(await generateMigration({ schema, directory, name: 'again' })).toBeUndefined();
      expect((await readdir(directory)).sort()).toEqual([
        '20261126T101500_init.down.sql',
        '20261126T101500_init.up.sql',
        'meta',
      ]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
