import { describe, expect, it } from 'vitest';
import { watchTable } from '../src/watch/watch-table.ts';
import { record, targets, useDatabase } from './watch-support.ts';

describe.each(targets)('watched rows on %s', (_name, open) => {
  const db = useDatabase(open);
  const { schema } = db;

  it('turns JSON back into select values for common column types', async () => {
    const table = await db.table(`
      id bigint primary key, amount numeric(12, 2), ratio double precision, small int, flag boolean,
      at timestamptz, local timestamp, day date, payload jsonb, bytes bytea, ids bigint[], tags text[],
      uid uuid, nothing text, forever timestamptz`);
    const watcher = watchTable(db.client(), { schema, table, primaryKey: ['id'] });
    const events = record(watcher);
    await watcher.ready;
    await db.client().query(
      `insert into ${schema}.${table} values (9007199254740993, 1234567890.10, 'NaN', 7, true,
        '2024-05-06 07:08:09.123+02', '2024-05-06 07:08:09.5', '2024-05-06', '{"a": [1, "x"], "big": 12}',
        '\\x00ff10', '{9007199254740993, -2}', '{"a b", "c"}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', null,
        'infinity')`,
    );
    await expect.poll(() => events.length).toBe(1);
    const row = events[0]?.data;
    expect(row).toEqual({
      id: '9007199254740993',
      amount: '1234567890.10',
      ratio: Number.NaN,
      small: 7,
      flag: true,
      at: new Date('2024-05-06T05:08:09.123Z'),
      local: new Date('2024-05-06T07:08:09.500Z'),
      day: '2024-05-06',
      payload: { a: [1, 'x'], big: 12 },
      bytes: Buffer.from([0x00, 0xff, 0x10]),
      ids: ['9007199254740993', '-2'],
      tags: ['a b', 'c'],
      uid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      nothing: null,
      forever: 'infinity',
    });
    expect(row?.at).toBeInstanceOf(Date);
    expect(Buffer.isBuffer(row?.bytes)).toBe(true);
    await watcher.close();
  });

  it('fetches a row over the 8000-byte NOTIFY limit by its key, and delivers a large delete by its keys', async () => {
    const table = await db.table('id int primary key, title text, body text');
    const watcher = watchTable(db.client(), { schema, table, primaryKey: ['id'] });
    const events = record(watcher);
    await watcher.ready;
    const big = 'é'.repeat(6000); // 12 000 bytes in UTF-8
    // A large row is read after the notification arrives, so each step waits for its event: a row
    // already deleted by then would have nothing left to read.
    await db.client().query(`insert into ${schema}.${table} values (1, 'Big', $1)`, [big]);
    await expect.poll(() => events.length).toBe(1);
    await db.client().query(`update ${schema}.${table} set title = 'Bigger', body = body || 'x' where id = 1`);
    await expect.poll(() => events.length).toBe(2);
    await db.client().query(`delete from ${schema}.${table} where id = 1`);
    await expect.poll(() => events.length).toBe(3);
    expect(events).toEqual([
      { type: 'insert', schema, table, partial: false, data: { id: 1, title: 'Big', body: big }, old: undefined },
      {
        type: 'update',
        schema,
        table,
        partial: false,
        data: { id: 1, title: 'Bigger', body: `${big}x` },
        old: undefined,
      },
      {
        type: 'delete',
        schema,
        table,
        partial: true,
        data: { id: 1, title: 'Bigger' },
        old: { id: 1, title: 'Bigger' },
        omitted: ['body'],
      },
    ]);
    await watcher.close();
  });

  it('works with composite primary keys, also for a large row and a key that changes', async () => {
    const table = await db.table('tenant text, id bigint, body text, primary key (tenant, id)');
    const watcher = watchTable(db.client(), {
      schema,
      table,
      primaryKey: ['tenant', 'id'],
      filter: { tenant: 'acme' },
    });
    const events = record(watcher);
    await watcher.ready;
    await db.client().query(`insert into ${schema}.${table} values ('acme', 1, 'small'), ('other', 1, 'not mine')`);
    await db.client().query(`insert into ${schema}.${table} values ('acme', 2, repeat('z', 9000))`);
    await expect.poll(() => events.length).toBe(2);
    await db.client().query(`update ${schema}.${table} set id = 3 where tenant = 'acme' and id = 1`);
    await db.client().query(`delete from ${schema}.${table} where tenant = 'acme' and id = 2`);
    await db.client().query(`delete from ${schema}.${table} where tenant = 'acme' and id = 3`);
    await expect.poll(() => events.length).toBe(5);
    expect(events.map((event) => [event.type, event.data.tenant, event.data.id, event.old?.id])).toEqual([
      ['insert', 'acme', '1', undefined],
      ['insert', 'acme', '2', undefined],
      ['update', 'acme', '3', '1'],
      ['delete', 'acme', '2', '2'],
      ['delete', 'acme', '3', '3'],
    ]);
    expect(events[1]?.data.body).toBe('z'.repeat(9000));
    expect(events[3]).toMatchObject({ partial: true, omitted: ['body'] });
    await watcher.close();
  });

  it('passes rows through parse, and a partial delete as raw columns', async () => {
    const table = await db.table('id int primary key, created_at timestamptz not null, body text');
    const watcher = watchTable(db.client(), {
      schema,
      table,
      primaryKey: ['id'],
      parse: (row) => ({ id: Number(row.id), createdAt: row.created_at, size: String(row.body).length }),
    });
    const seen: unknown[] = [];
    watcher.on('delete', (row, event) => {
      seen.push(
        row === undefined ? ['partial', event.data.id, event.partial && event.omitted] : ['whole', row.id, row.size],
      );
    });
    await watcher.ready;
    await db
      .client()
      .query(
        `insert into ${schema}.${table} values (1, '2024-01-01T00:00:00Z', 'short'), (2, now(), repeat('y', 9000))`,
      );
    await db.client().query(`delete from ${schema}.${table} where id = 1`);
    await db.client().query(`delete from ${schema}.${table} where id = 2`);
    await expect.poll(() => seen.length).toBe(2);
    expect(seen).toEqual([
      ['whole', 1, 5],
      ['partial', 2, ['body']],
    ]);
    await watcher.close();
  });
});
