import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isMigrationError, type MigrationError } from '../src/migrations/errors.ts';
import { createMigrator } from '../src/migrations/migrator.ts';
import { kinds, openTestDatabase, type TestDatabase } from './fixtures/migrations/targets.ts';

/** A migration module whose up/down run the given SQL. */
const module = (up: string, down?: string) =>
  `export async function up(db) { await db.execute(${JSON.stringify(up)}); }\n` +
  (down === undefined ? '' : `export async function down(db) { await db.execute(${JSON.stringify(down)}); }\n`);

const table = (name: string) => module(`create table ${name} (id int)`, `drop table ${name}`);

async function caught(promise: Promise<unknown>): Promise<MigrationError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!isMigrationError(error)) throw new Error(`expected a MigrationError, got ${String(error)}`);
  return error;
}

describe.each(kinds)('migrations on %s', (kind) => {
  let db: TestDatabase;
  afterEach(async () => {
    await db?.close();
  });
  const setup = async () => {
    db = await openTestDatabase(kind);
    return { db, migrator: createMigrator({ client: db.client, directory: db.dir }) };
  };
  const tables = async () =>
    (
      await db.client.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = $1 and table_name like 't\\_%' order by 1",
        [db.schema],
      )
    ).map((row) => row.table_name);

  it('applies pending migrations in name order as one batch, then the next ones as the next batch', async () => {
    const { migrator } = await setup();
    await db.write('002_b.mjs', module('create table t_b (a_id int references t_a(id))', 'drop table t_b'));
    await db.write('001_a.ts', module('create table t_a (id int primary key)', 'drop table t_a'));
    expect(await migrator.latest()).toEqual({ batch: 1, migrations: ['001_a', '002_b'] });
    expect(await migrator.latest()).toEqual({ batch: undefined, migrations: [] });
    await db.write('20261126T101500_c.mjs', table('t_c'));
    expect(await migrator.latest()).toEqual({ batch: 2, migrations: ['20261126T101500_c'] });
    expect(await tables()).toEqual(['t_a', 't_b', 't_c']);

    const status = await migrator.status();
    expect(status.applied.map((row) => [row.name, row.batch, row.state])).toEqual([
      ['001_a', 1, 'ok'],
      ['002_b', 1, 'ok'],
      ['20261126T101500_c', 2, 'ok'],
    ]);
    for (const row of status.applied) {
      expect(row.appliedAt).toBeInstanceOf(Date);
      expect(Math.abs(row.appliedAt.getTime() - Date.now())).toBeLessThan(60_000);
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(status).toMatchObject({ pending: [], changed: [], missing: [] });
  });

  it('rolls back the last batch by default, newest first, and by steps or down to a name', async () => {
    const { migrator } = await setup();
    await db.write('001_a.mjs', table('t_a'));
    await db.write('002_b.mjs', table('t_b'));
    await migrator.latest();
    await db.write('003_c.mjs', table('t_c'));
    await db.write('004_d.mjs', table('t_d'));
    await migrator.latest();

    expect(await migrator.rollback()).toEqual({ migrations: ['004_d', '003_c'] });
    expect(await tables()).toEqual(['t_a', 't_b']);
    expect((await migrator.status()).pending).toEqual(['003_c', '004_d']);

    await migrator.latest();
    expect(await migrator.rollback({ steps: 1 })).toEqual({ migrations: ['004_d'] });
    expect(await migrator.rollback({ to: '001_a' })).toEqual({ migrations: ['003_c', '002_b'] });
    expect(await tables()).toEqual(['t_a']);
    expect(await migrator.rollback()).toEqual({ migrations: ['001_a'] });
    expect(await migrator.rollback()).toEqual({ migrations: [] });
    expect((await caught(migrator.rollback({ to: '003_c' }))).code).toBe('FW_DB_MIGRATION_ARGUMENT');
  });

  it('stops at a failing migration: earlier ones stay applied, its own changes are rolled back', async () => {
    const { migrator } = await setup();
    await db.write('001_ok.mjs', table('t_ok'));
    await db.write(
      '002_bad.sql'.replace('.sql', '.up.sql'),
      'create table t_half (id int);\ninsert into t_missing values (1);\n',
    );
    await db.write('003_later.mjs', table('t_later'));

    const error = await caught(migrator.latest());
    expect(error.code).toBe('FW_DB_MIGRATION_FAILED');
    expect(error.migration).toBe('002_bad');
    expect(error.message).toContain('002_bad.up.sql');
    expect(error.message).toContain('relation "t_missing" does not exist');
    expect(error.message).toContain('Applied before it in this run (still applied): 001_ok');

    expect(await tables()).toEqual(['t_ok']);
    const status = await migrator.status();
    expect(status.applied.map((row) => row.name)).toEqual(['001_ok']);
    expect(status.pending).toEqual(['002_bad', '003_later']);
  });

  it('reports an applied migration whose file was edited and refuses to migrate until it is restored', async () => {
    const { migrator } = await setup();
    const original = table('t_a');
    const path = await db.write('001_a.mjs', original);
    await migrator.latest();
    await writeFile(path, original.replace('(id int)', '(id bigint)'));
    await db.write('002_b.mjs', table('t_b'));

    const status = await migrator.status();
    expect(status.changed).toEqual(['001_a']);
    expect(status.applied[0]?.state).toBe('changed');
    expect(status.pending).toEqual(['002_b']);

    const error = await caught(migrator.latest());
    expect(error.code).toBe('FW_DB_MIGRATION_CHANGED');
    expect(error.message).toContain('changed since they were applied: 001_a');
    expect(error.message).toContain('new migration');
    expect(await tables()).toEqual(['t_a']);
    expect((await caught(migrator.rollback())).code).toBe('FW_DB_MIGRATION_CHANGED');

    await writeFile(path, original);
    expect(await migrator.latest()).toEqual({ batch: 2, migrations: ['002_b'] });
  });

  it('reports an applied migration whose file is gone and refuses to migrate', async () => {
    const { migrator } = await setup();
    await db.write('001_a.mjs', table('t_a'));
    await migrator.latest();
    const { rm } = await import('node:fs/promises');
    await rm(join(db.dir, '001_a.mjs'));
    await db.write('002_b.mjs', table('t_b'));

    const status = await migrator.status();
    expect(status.missing).toEqual(['001_a']);
    expect(status.applied[0]?.state).toBe('missing');
    const error = await caught(migrator.latest());
    expect(error.code).toBe('FW_DB_MIGRATION_CHANGED');
    expect(error.message).toContain('missing from');
    expect(error.message).toContain('framework_migrations');
    expect(await tables()).toEqual(['t_a']);
  });

  it('runs SQL file pairs, with several statements and a function body holding semicolons', async () => {
    const { migrator } = await setup();
    await db.write(
      '001_fn.up.sql',
      `create table t_fn (id int, note text default 'a;b');
--> statement-breakpoint
create function t_fn_double(x int) returns int language plpgsql as $body$
begin
  return x * 2; -- a ; in a comment
end;
$body$;
insert into t_fn (id) values (t_fn_double(21));
`,
    );
    await db.write('001_fn.down.sql', 'drop function t_fn_double(int);\ndrop table t_fn;\n');
    await migrator.latest();
    expect(await db.client.query('select id, note from t_fn')).toEqual([{ id: 42, note: 'a;b' }]);
    await migrator.rollback();
    expect(await tables()).toEqual([]);
    expect(await db.client.query("select 1 from pg_proc where proname = 't_fn_double'")).toEqual([]);
  });

  it('runs the spec-style module: createTable from drizzle column builders, execute with bound params, dropTable', async () => {
    db = await openTestDatabase(kind);
    const migrator = createMigrator({
      client: db.client,
      directory: join(import.meta.dirname, 'fixtures/migrations/spec'),
    });
    await migrator.latest();
    expect(await db.columns('users')).toEqual([
      'id integer',
      'email character varying',
      'passwordHash character varying',
      'createdAt timestamp without time zone',
    ]);
    const rows = await db.client.query<{ id: number; email: string; created: boolean }>(
      'select id, email, "createdAt" is not null as created from users order by id',
    );
    expect(rows).toEqual([
      { id: 1, email: "o'brien@example.com", created: true },
      { id: 2, email: 'admin@example.com', created: true },
    ]);
    // The unique constraint and NOT NULL came through.
    await expect(
      db.client.query('insert into users (email, "passwordHash") values ($1, $2)', ['admin@example.com', 'z']),
    ).rejects.toThrow(/unique/);
    await expect(db.client.query('insert into users (email) values ($1)', ['new@example.com'])).rejects.toThrow(/null/);

    await migrator.rollback({ steps: 1 });
    expect(await db.client.query('select count(*)::int as n from users')).toEqual([{ n: 0 }]);
    await migrator.rollback({ all: true });
    expect(await db.columns('users')).toEqual([]);
  });

  it('refuses to roll back a migration without a down, rolling back nothing', async () => {
    const { migrator } = await setup();
    await db.write('001_a.mjs', table('t_a'));
    await db.write('002_b.mjs', module('create table t_b (id int)'));
    await migrator.latest();
    const error = await caught(migrator.rollback());
    expect(error.code).toBe('FW_DB_MIGRATION_FILE');
    expect(error.message).toContain('002_b has no down migration');
    expect(await tables()).toEqual(['t_a', 't_b']);
  });

  it('reset rolls everything back and applies it again as batch 1', async () => {
    const { migrator } = await setup();
    await db.write('001_a.mjs', table('t_a'));
    await migrator.latest();
    await db.write('002_b.mjs', table('t_b'));
    await migrator.latest();
    await db.client.query('insert into t_a values (1)');
    expect(await migrator.reset()).toEqual({ rolledBack: ['002_b', '001_a'], migrations: ['001_a', '002_b'] });
    expect(await db.client.query('select * from t_a')).toEqual([]);
    expect((await migrator.status()).applied.map((row) => row.batch)).toEqual([1, 1]);
  });

  it('runs seeds in name order, each in its own transaction', async () => {
    const { migrator } = await setup();
    await db.client.query('create table seeded (label text)');
    const seeds = join(import.meta.dirname, 'fixtures/migrations/seeds');
    expect(await migrator.seed({ directory: seeds })).toEqual(['001_users.ts', '002_more.sql']);
    expect((await db.client.query<{ label: string }>('select label from seeded')).map((row) => row.label)).toEqual([
      'first',
      'second',
      'third; with a semicolon',
    ]);

    await db.write('001_ok.sql', "insert into seeded values ('kept');");
    await db.write('002_bad.sql', "insert into seeded values ('lost');\ninsert into nowhere values (1);");
    const error = await caught(migrator.seed({ directory: db.dir }));
    expect(error.code).toBe('FW_DB_MIGRATION_FAILED');
    expect(error.message).toContain('Seed 002_bad.sql failed');
    const labels = (await db.client.query<{ label: string }>('select label from seeded')).map((row) => row.label);
    expect(labels).toContain('kept');
    expect(labels).not.toContain('lost');
  });

  it('keeps its history in the table it is given', async () => {
    db = await openTestDatabase(kind);
    const migrator = createMigrator({ client: db.client, directory: db.dir, table: 'schema_history' });
    await db.write('001_a.mjs', table('t_a'));
    await migrator.latest();
    expect(await db.client.query('select name, batch from schema_history')).toEqual([{ name: '001_a', batch: 1 }]);
    expect(await db.columns('framework_migrations')).toEqual([]);
  });
});
