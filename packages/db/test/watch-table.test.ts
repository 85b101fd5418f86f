import { describe, expect, it } from 'vitest';
import { isWatchError, type WatchError } from '../src/watch/watch-error.ts';
import type { ChangeEvent } from '../src/watch/watch-table.ts';
import { type WatchTableOptions, watchTable } from '../src/watch/watch-table.ts';
import { record, summary, targets, useDatabase } from './watch-support.ts';

describe.each(targets)('watchTable on %s', (_name, open) => {
  const db = useDatabase(open);
  const { schema } = db;
  const posts = (table: string) => `${schema}.${table}`;

  it('delivers inserts, updates and deletes with data and old, through the callback and on(type)', async () => {
    const table = await db.table('id int primary key, title text not null');
    const seen: ChangeEvent<Record<string, unknown>>[] = [];
    const watcher = watchTable(db.client(), { schema, table, primaryKey: ['id'] }, (event) => {
      seen.push(event);
    });
    const inserted: unknown[] = [];
    const updated: unknown[] = [];
    const deleted: unknown[] = [];
    watcher
      .on('insert', (row) => inserted.push(row))
      .on('update', (row, event) => updated.push([event.old, row]))
      .on('delete', (row) => deleted.push(row));
    await watcher.ready;

    await db.client().query(`insert into ${posts(table)} values (1, 'Hello')`);
    await db.client().query(`update ${posts(table)} set title = 'Hello again' where id = 1`);
    await db.client().query(`delete from ${posts(table)} where id = 1`);

    await expect.poll(() => seen.length).toBe(3);
    expect(seen).toEqual([
      { type: 'insert', schema, table, partial: false, data: { id: 1, title: 'Hello' }, old: undefined },
      {
        type: 'update',
        schema,
        table,
        partial: false,
        data: { id: 1, title: 'Hello again' },
        old: { id: 1, title: 'Hello' },
      },
      {
        type: 'delete',
        schema,
        table,
        partial: false,
        data: { id: 1, title: 'Hello again' },
        old: { id: 1, title: 'Hello again' },
      },
    ]);
    expect(inserted).toEqual([{ id: 1, title: 'Hello' }]);
    expect(updated).toEqual([
      [
        { id: 1, title: 'Hello' },
        { id: 1, title: 'Hello again' },
      ],
    ]);
    expect(deleted).toEqual([{ id: 1, title: 'Hello again' }]);
    await watcher.close();
  });

  it('delivers in commit order, also when a large row has to be fetched in between', async () => {
    const table = await db.table('id int primary key, body text');
    const watcher = watchTable(db.client(), { schema, table, primaryKey: ['id'] });
    const events = record(watcher);
    await watcher.ready;
    await db.client().session(async (session) => {
      await session.query('begin');
      await session.query(`insert into ${posts(table)} values (1, 'a'), (2, repeat('b', 9000)), (3, 'c')`);
      await session.query(`update ${posts(table)} set body = 'a2' where id = 1`);
      await session.query('commit');
    });
    await db.client().query(`insert into ${posts(table)} values (4, 'd')`);
    await expect.poll(() => events.length).toBe(5);
    expect(events.map((event) => [event.type, event.data.id])).toEqual([
      ['insert', 1],
      ['insert', 2],
      ['insert', 3],
      ['update', 1],
      ['insert', 4],
    ]);
    await watcher.close();
  });

  it('delivers nothing for a rolled-back transaction', async () => {
    const table = await db.table('id int primary key, title text');
    const watcher = watchTable(db.client(), { schema, table, primaryKey: ['id'] });
    const events = record(watcher);
    await watcher.ready;
    await db.client().session(async (session) => {
      await session.query('begin');
      await session.query(`insert into ${posts(table)} values (1, 'never')`);
      await session.query(`update ${posts(table)} set title = 'still never' where id = 1`);
      await session.query('rollback');
    });
    // Delivery is in commit order: once this insert is seen, a rolled-back change would have been too.
    await db.client().query(`insert into ${posts(table)} values (2, 'committed')`);
    await expect.poll(() => events.length).toBeGreaterThan(0);
    expect(summary(events)).toEqual([['insert', { id: 2, title: 'committed' }]]);
    await watcher.close();
  });

  it('filters on columns: a matching new or old row is delivered, an update moving out arrives as an update', async () => {
    const table = await db.table('id int primary key, user_id bigint not null, title text');
    const mine = watchTable(db.client(), { schema, table, primaryKey: ['id'], filter: { user_id: 123 } });
    const all = watchTable(db.client(), { schema, table, primaryKey: ['id'] });
    const filtered = record(mine);
    const everything = record(all);
    await Promise.all([mine.ready, all.ready]);

    await db.client().query(`insert into ${posts(table)} values (1, 123, 'mine'), (2, 456, 'theirs')`);
    await db.client().query(`update ${posts(table)} set title = 'theirs, edited' where id = 2`);
    await db.client().query(`update ${posts(table)} set user_id = 456 where id = 1`);
    await db.client().query(`update ${posts(table)} set user_id = 123 where id = 2`);
    await db.client().query(`delete from ${posts(table)} where id = 2`);

    await expect.poll(() => everything.length).toBe(6);
    expect(filtered.map((event) => [event.type, event.data.id, event.old?.user_id])).toEqual([
      ['insert', 1, undefined],
      ['update', 1, '123'],
      ['update', 2, '456'],
      ['delete', 2, '123'],
    ]);
    expect(filtered[1]?.data).toEqual({ id: 1, user_id: '456', title: 'mine' });
    await Promise.all([mine.close(), all.close()]);
  });

  it('gives two watchers of a table the same changes and keeps one going when the other closes', async () => {
    const table = await db.table('id int primary key');
    const first = watchTable(db.client(), { schema, table, primaryKey: ['id'] });
    const second = watchTable(db.client(), { schema, table, primaryKey: ['id'] });
    const a = record(first);
    const b = record(second);
    await Promise.all([first.ready, second.ready]);
    expect(first.channel).toBe(second.channel);

    await db.client().query(`insert into ${posts(table)} values (1)`);
    await expect.poll(() => [a.length, b.length]).toEqual([1, 1]);
    await first.close();
    await db.client().query(`insert into ${posts(table)} values (2)`);
    await expect.poll(() => b.length).toBe(2);
    expect(summary(a)).toEqual([['insert', { id: 1 }]]);
    expect(summary(b)).toEqual([
      ['insert', { id: 1 }],
      ['insert', { id: 2 }],
    ]);
    await second.close();
  });

  it('stops delivering after close, and a new watcher after the last one closed listens again', async () => {
    const table = await db.table('id int primary key');
    const watcher = watchTable(db.client(), { schema, table, primaryKey: ['id'] });
    const events = record(watcher);
    await watcher.ready;
    await db.client().query(`insert into ${posts(table)} values (1)`);
    await expect.poll(() => events.length).toBe(1);
    await watcher.close();

    await db.client().query(`insert into ${posts(table)} values (2)`);
    const again = watchTable(db.client(), { schema, table, primaryKey: ['id'] });
    const later = record(again);
    await again.ready;
    await db.client().query(`insert into ${posts(table)} values (3)`);
    await expect.poll(() => later.length).toBe(1);
    expect(summary(later)).toEqual([['insert', { id: 3 }]]);
    expect(summary(events)).toEqual([['insert', { id: 1 }]]);
    await again.close();
  });

  it('closes a watcher cleanly after its client was closed', async () => {
    const client = await open();
    const table = await db.table('id int primary key');
    await client.query(`create schema if not exists ${schema}`);
    await client.query(`create table ${schema}.${table}_own (id int primary key)`);
    const watcher = watchTable(client, { schema, table: `${table}_own`, primaryKey: ['id'] });
    await watcher.ready;
    await client.close();
    await expect(watcher.close()).resolves.toBeUndefined();
  });

  it('keeps delivering to the other listeners when one throws, and reports each failure once to onError', async () => {
    const table = await db.table('id int primary key');
    const errors: WatchError[] = [];
    const watcher = watchTable(db.client(), {
      schema,
      table,
      primaryKey: ['id'],
      onError: (error) => errors.push(error),
    });
    const reached: string[] = [];
    watcher
      .on('insert', () => {
        throw new Error('listener bug');
      })
      .on('insert', async () => {
        throw new Error('async listener bug');
      })
      .on('insert', (row) => {
        reached.push(`insert ${row.id}`);
      })
      .on('change', (event) => {
        reached.push(`change ${event.data.id}`);
      });
    await watcher.ready;
    await db.client().query(`insert into ${posts(table)} values (1), (2)`);
    await expect.poll(() => errors.length).toBe(4);
    expect(reached).toEqual(['insert 1', 'change 1', 'insert 2', 'change 2']);
    const described = errors.map((error) => [error.code, error.cause instanceof Error ? error.cause.message : '']);
    expect(described.sort()).toEqual([
      ['FW_DB_WATCH_LISTENER', 'async listener bug'],
      ['FW_DB_WATCH_LISTENER', 'async listener bug'],
      ['FW_DB_WATCH_LISTENER', 'listener bug'],
      ['FW_DB_WATCH_LISTENER', 'listener bug'],
    ]);
    await watcher.close();
  });

  it('rejects ready with a coded error that says what to fix, and reports it to onError', async () => {
    const table = await db.table('id int primary key, user_id int');
    const failures = async (options: WatchTableOptions) => {
      const reported: WatchError[] = [];
      const watcher = watchTable(db.client(), { ...options, onError: (error) => reported.push(error) });
      const error: unknown = await watcher.ready.then(
        () => undefined,
        (failure: unknown) => failure,
      );
      await watcher.close();
      expect(reported).toEqual([error]);
      return isWatchError(error) ? [error.code, error.message] : error;
    };
    expect(await failures({ schema, table: 'missing', primaryKey: ['id'] })).toEqual([
      'FW_DB_WATCH_TABLE',
      expect.stringContaining('does not exist: create it'),
    ]);
    expect(await failures({ schema, table, primaryKey: ['id'], filter: { userId: 1 } })).toEqual([
      'FW_DB_WATCH_OPTIONS',
      expect.stringContaining('use the database column name (id, user_id)'),
    ]);
    expect(await failures({ schema, table, primaryKey: ['uuid'] })).toEqual([
      'FW_DB_WATCH_OPTIONS',
      expect.stringContaining('primaryKey names uuid'),
    ]);
    expect(await failures({ schema, table, primaryKey: [] })).toEqual([
      'FW_DB_WATCH_OPTIONS',
      expect.stringContaining('name the primary key columns'),
    ]);
    expect(() => watchTable(db.client(), { schema, table, primaryKey: ['id'], channel: 'Bad Channel' })).toThrow(
      /lower-case letters, digits and underscores/,
    );
  });
});

// PGlite runs in the process and has no connection to lose; this is PostgreSQL's case alone.
describe('watchTable on postgres after the listening connection is killed', () => {
  const db = useDatabase(targets[1][1]);

  it('listens again once postgres.js reconnects, with no error reported', async () => {
    const table = await db.table('id serial primary key');
    const client = await db.another();
    const channel = `fw_reconnect_${db.schema}`;
    const errors: WatchError[] = [];
    const watcher = watchTable(client, {
      schema: db.schema,
      table,
      primaryKey: ['id'],
      channel,
      onError: (error) => errors.push(error),
    });
    const events = record(watcher);
    await watcher.ready;
    const killed = await db
      .client()
      .query<{ ok: boolean }>(
        'select pg_terminate_backend(pid) as ok from pg_stat_activity where query ilike $1 and pid <> pg_backend_pid()',
        [`listen%${channel}%`],
      );
    expect(killed).toEqual([{ ok: true }]);
    await expect
      .poll(
        async () => {
          await db.client().query(`insert into ${db.schema}.${table} default values`);
          return events.length;
        },
        { timeout: 15_000, interval: 200 },
      )
      .toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await watcher.close();
  });
});
