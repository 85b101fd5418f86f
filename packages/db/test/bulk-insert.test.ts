import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bigint,
  boolean,
  createDatabase,
  integer,
  jsonb,
  numeric,
  serial,
  table,
  text,
  timestamp,
  varchar,
} from '../src/index.ts';
import { freshUrl, TARGETS } from './helpers.ts';

const things = table('things', {
  id: serial().primaryKey(),
  name: varchar({ length: 50 }).notNull(),
  note: text(),
  count: integer().notNull().default(7),
  big: bigint({ mode: 'bigint' }),
  price: numeric({ precision: 10, scale: 2 }),
  flag: boolean().notNull().default(false),
  meta: jsonb().$type<{ tags: string[] }>(),
  at: timestamp({ withTimezone: true }),
  createdAt: timestamp('created_at').notNull().defaultNow(),
});
const DDL = `create table things (id serial primary key, name varchar(50) not null, note text, count integer not null default 7,
  big bigint, price numeric(10,2), flag boolean not null default false, meta jsonb, at timestamptz, created_at timestamp not null default now())`;

describe.each(TARGETS)('multi-row insert on %s', (target) => {
  let db: Awaited<ReturnType<typeof open>>;
  const open = async () => createDatabase({ driver: target, url: await freshUrl(target), schema: { things } });

  beforeAll(async () => {
    db = await open();
    await db.query(DDL);
  });
  afterAll(async () => {
    await db.close();
  });

  const input = () => [
    {
      name: 'full',
      note: "O'Brien; drop table things; --",
      count: 3,
      big: 9_007_199_254_740_993n,
      price: '12.50',
      flag: true,
      meta: { tags: ['a', 'b'] },
      at: new Date('2026-11-26T10:00:00.000Z'),
    },
    { name: 'defaults' },
    { name: 'nulls', note: null, big: null, price: null, meta: null, at: null },
  ];

  it('returns the same rows, values and types as reading them back, defaults and nulls included', async () => {
    const inserted = await db.things.insert(input());
    const read = await db.things.where({ id: { in: inserted.map((row) => row.id) } }).orderBy('id');
    expect(inserted).toEqual(read);
    expect(inserted[0]).toMatchObject(input()[0]!);
    expect(inserted[1]).toMatchObject({ name: 'defaults', count: 7, flag: false, note: null });
    expect(inserted[1]?.createdAt).toBeInstanceOf(Date);
    expect(inserted[2]).toMatchObject({ name: 'nulls', big: null, meta: null, at: null });
  });

  it('inserts the same rows inside a transaction (through drizzle there) as outside', async () => {
    const outside = await db.things.insert(input());
    const inside = await db.transaction((trx) => trx.things.insert(input()));
    const strip = (rows: typeof outside) => rows.map(({ id: _id, createdAt: _at, ...rest }) => rest);
    expect(strip(inside)).toEqual(strip(outside));
  });
});
