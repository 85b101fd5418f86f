import { describe, expect, it } from 'vitest';
import type { WatchError } from '../src/watch/watch-error.ts';
import { watchTable } from '../src/watch/watch-table.ts';
import { dropWatchTrigger, installWatchTrigger } from '../src/watch/watch-trigger.ts';
import { record, summary, targets, useDatabase } from './watch-support.ts';

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

describe.each(targets)('the watch trigger on %s', (_name, open) => {
  const db = useDatabase(open);
  const { schema } = db;
  const triggers = async (table: string) =>
    db
      .client()
      .query<{ name: string }>(
        'select tgname::text as name from pg_trigger where tgrelid = to_regclass($1) and not tgisinternal',
        [`${quote(schema)}.${quote(table)}`],
      );

  it('watches tables, schemas and columns whose names need quoting', async () => {
    const odd = `Odd Schema ${schema}`;
    await db.client().query(`create schema ${quote(odd)}`);
    try {
      const table = 'Blog "Posts"';
      await db.client().query(`create table ${quote(odd)}.${quote(table)} ("Post Id" int primary key, "Title" text)`);
      const watcher = watchTable(db.client(), { schema: odd, table, primaryKey: ['Post Id'], filter: { Title: 'Hi' } });
      const events = record(watcher);
      await watcher.ready;
      await db.client().query(`insert into ${quote(odd)}.${quote(table)} values (1, 'Hi'), (2, 'Other')`);
      await expect.poll(() => events.length).toBe(1);
      expect(events[0]).toMatchObject({ schema: odd, table, data: { 'Post Id': 1, Title: 'Hi' } });
      await watcher.close();
    } finally {
      await db.client().query(`drop schema ${quote(odd)} cascade`);
    }
  });

  it('cannot be made to run SQL by a malicious table, column or key name', async () => {
    const sentinel = await db.table('id int', 'sentinel');
    const evil = [
      `x"; drop table ${schema}.${sentinel}; --`,
      `y$fw_do$; drop table ${schema}.${sentinel}; $fw_do$`,
      `z'); drop table ${schema}.${sentinel}; --`,
    ];
    for (const [index, table] of evil.entries()) {
      const column = `k'"$fw_fn$); --${index}`;
      await db
        .client()
        .query(`create table ${quote(schema)}.${quote(table)} (${quote(column)} int primary key, body text)`);
      const watcher = watchTable(db.client(), { schema, table, primaryKey: [column] });
      const events = record(watcher);
      await watcher.ready;
      await db.client().query(`insert into ${quote(schema)}.${quote(table)} values (1, repeat('b', 9000))`);
      await expect.poll(() => events.length).toBe(1);
      expect(events[0]).toMatchObject({ type: 'insert', table, data: { [column]: 1, body: 'b'.repeat(9000) } });
      await watcher.close();
    }
    expect(await triggers(sentinel)).toEqual([]);
    expect(await db.client().query(`select count(*)::int as n from ${schema}.${sentinel}`)).toEqual([{ n: 0 }]);
  });

  it('installs idempotently, also from several watchers at once, and keeps the trigger until dropped', async () => {
    const table = await db.table('id int primary key');
    const clients = await Promise.all([db.another(), db.another(), db.another()]);
    const watchers = clients.map((client) => watchTable(client, { schema, table, primaryKey: ['id'] }));
    await Promise.all(watchers.map((watcher) => watcher.ready));
    await installWatchTrigger(db.client(), { schema, table, primaryKey: ['id'] });
    expect(await triggers(table)).toEqual([{ name: watchers[0]?.channel }]);

    const events = record(watchers[0]!);
    await db.client().query(`insert into ${schema}.${table} values (1)`);
    await expect.poll(() => events.length).toBe(1);
    await Promise.all(watchers.map((watcher) => watcher.close()));
    expect(await triggers(table)).toEqual([{ name: watchers[0]?.channel }]);

    await dropWatchTrigger(db.client(), { schema, table });
    expect(await triggers(table)).toEqual([]);
    await db.client().query(`insert into ${schema}.${table} values (2)`);
    expect(await db.client().query(`select count(*)::int as n from ${schema}.${table}`)).toEqual([{ n: 2 }]);
  });

  it('never fails a write: a change too large even for its keys is reported, not delivered', async () => {
    const table = await db.table('id text primary key, n int');
    const errors: WatchError[] = [];
    const watcher = watchTable(db.client(), {
      schema,
      table,
      primaryKey: ['id'],
      onError: (error) => errors.push(error),
    });
    const events = record(watcher);
    await watcher.ready;
    await db.client().query(`insert into ${schema}.${table} values (repeat('k', 9000), 1)`);
    await db.client().query(`insert into ${schema}.${table} values ('small', 2)`);
    await expect.poll(() => events.length).toBe(1);
    expect(summary(events)).toEqual([['insert', { id: 'small', n: 2 }]]);
    expect(errors.map((error) => error.code)).toEqual(['FW_DB_WATCH_PAYLOAD']);
    expect(errors[0]?.message).toMatch(/too large to announce even by its primary key/);
    await watcher.close();
  });
});
