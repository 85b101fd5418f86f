import { afterEach, describe, expect, it } from 'vitest';
import { isMigrationError } from '../src/migrations/errors.ts';
import { createMigrator } from '../src/migrations/migrator.ts';
import { kinds, openTestDatabase, type TestDatabase } from './fixtures/migrations/targets.ts';

const slow = (name: string) =>
  `export async function up(db) { await db.execute('select pg_sleep(0.2)'); await db.execute('create table ${name} (id int)'); await db.execute('insert into runs values ($1)', ['${name}']); }\n` +
  `export async function down(db) { await db.execute('drop table ${name}'); }\n`;

describe.each(kinds)('concurrent migration runs on %s', (kind) => {
  let db: TestDatabase;
  afterEach(async () => {
    await db?.close();
  });

  it('two runners started together apply every migration exactly once, without an error from either', async () => {
    db = await openTestDatabase(kind);
    await db.client.query('create table runs (name text)');
    for (const name of ['001_one', '002_two', '003_three']) await db.write(`${name}.mjs`, slow(`c_${name}`));
    // Two clients: on PostgreSQL two pools (as two processes would have); PGlite has one connection.
    const first = createMigrator({ client: db.client, directory: db.dir });
    const second = createMigrator({ client: await db.open(), directory: db.dir });

    const results = await Promise.all([first.latest(), second.latest()]);
    const applied = results.flatMap((result) => result.migrations);
    expect(applied.sort()).toEqual(['001_one', '002_two', '003_three']);
    // The lock is held for the whole run: one runner did everything, the other found nothing left.
    expect(results.map((result) => result.migrations.length).sort()).toEqual([0, 3]);
    expect(await db.client.query('select name from runs order by name')).toEqual([
      { name: 'c_001_one' },
      { name: 'c_002_two' },
      { name: 'c_003_three' },
    ]);
    expect(await db.client.query('select count(*)::int as n from framework_migrations')).toEqual([{ n: 3 }]);
  });
});

describe('the migration lock on PostgreSQL', () => {
  let db: TestDatabase;
  afterEach(async () => {
    await db?.close();
  });

  it('fails with a clear error after the lock timeout while another session holds the lock, then works once it is free', async () => {
    db = await openTestDatabase('postgres');
    await db.write('001_a.mjs', slow('l_a').replace("'select pg_sleep(0.2)'", "'select 1'"));
    await db.client.query('create table runs (name text)');
    const holder = await db.open();
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holding = holder.session(async (session) => {
      await session.query('select pg_advisory_lock(4242)');
      locked();
      await released;
      await session.query('select pg_advisory_unlock(4242)');
    });
    await isLocked;

    const migrator = createMigrator({ client: db.client, directory: db.dir, lockId: 4242, lockTimeout: 300 });
    const error = await migrator.latest().catch((reason: unknown) => reason);
    expect(isMigrationError(error) && error.code).toBe('FW_DB_MIGRATION_LOCK');
    expect(String(error)).toContain('advisory lock 4242');
    expect(String(error)).toContain('lockTimeout');
    expect((await migrator.status()).pending).toEqual(['001_a']);

    release();
    await holding;
    expect(await migrator.latest()).toEqual({ batch: 1, migrations: ['001_a'] });
  });

  it('waits for a run in progress instead of failing, then finds nothing left to do', async () => {
    db = await openTestDatabase('postgres');
    await db.client.query('create table runs (name text)');
    await db.write('001_a.mjs', slow('w_a').replace('pg_sleep(0.2)', 'pg_sleep(2.5)'));
    const first = createMigrator({ client: db.client, directory: db.dir });
    const second = createMigrator({ client: await db.open(), directory: db.dir });
    const running = first.latest();
    // Start the second only once the first holds the lock and is inside the migration.
    await expect
      .poll(
        async () =>
          (
            await db.client.query(
              "select 1 from pg_stat_activity where query like '%pg_sleep(2.5)%' and pid <> pg_backend_pid()",
            )
          ).length,
        { timeout: 10_000 },
      )
      .toBe(1);
    expect(await second.latest()).toEqual({ batch: undefined, migrations: [] });
    expect(await running).toEqual({ batch: 1, migrations: ['001_a'] });
  });
});
