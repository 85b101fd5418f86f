import { randomBytes } from 'node:crypto';
import { createDatabase, serial, table, varchar } from '@framework/db';
import { describe, expect, it } from 'vitest';
import { makeCache } from './helpers.ts';

const DATABASE_URL = process.env.DATABASE_URL ?? '';
if (DATABASE_URL === '')
  throw new Error('DATABASE_URL is not set: run these tests through `pnpm test` (test-services starts PostgreSQL).');

type QueryStore = ReturnType<Awaited<ReturnType<typeof makeCache>>['queryStore']>;

describe.each(['redis', 'tiered'] as const)(
  'two databases sharing the query cache on the %s cache (two app processes)',
  (kind) => {
    it('does not store a result read before another process wrote the table and invalidated it', async () => {
      const name = `orders_${randomBytes(6).toString('hex')}`;
      const orders = table(name, { id: serial('id').primaryKey(), item: varchar('item', { length: 50 }).notNull() });
      const prefix = `db-versions:${name}:`;
      // Two caches over one Redis with one prefix: what two processes of one app share.
      const storeA = (await makeCache(kind, {}, prefix)).queryStore();
      const storeB = (await makeCache(kind, {}, prefix)).queryStore();
      expect(storeA.tagVersions).toBeTypeOf('function');

      /** Runs once, after A's query read the table and before A stores the result. */
      let between: (() => Promise<void>) | undefined;
      const held: QueryStore = {
        ...storeA,
        async set(key, value, options) {
          const write = between;
          between = undefined;
          await write?.();
          return storeA.set(key, value, options);
        },
      };
      const a = await createDatabase({ url: DATABASE_URL, schema: { orders }, cache: held, slowQuery: false });
      const b = await createDatabase({ url: DATABASE_URL, schema: { orders }, cache: storeB, slowQuery: false });
      try {
        await a.query(`create table ${name} (id serial primary key, item varchar(50) not null)`);
        await a.orders.insert({ item: 'lamp' });
        // B's insert invalidates the table's tag in the shared cache while A's result is in flight.
        between = async () => {
          await b.orders.insert({ item: 'desk' });
        };
        const first = await a.orders.orderBy('id').cache('5m');
        expect(first.map((row) => row.item)).toEqual(['lamp']);
        expect(between).toBeUndefined();

        // A's next read sees B's row: the result read before B's write was not cached.
        const again = await a.orders.orderBy('id').cache('5m');
        expect(again.map((row) => row.item)).toEqual(['lamp', 'desk']);
        // And once stored (no write meanwhile), it is served from the cache to both processes.
        await a.query(`insert into ${name} (item) values ('chair')`);
        expect((await a.orders.orderBy('id').cache('5m')).map((row) => row.item)).toEqual(['lamp', 'desk']);
        expect((await b.orders.orderBy('id').cache('5m')).map((row) => row.item)).toEqual(['lamp', 'desk']);
      } finally {
        await a.query(`drop table if exists ${name}`);
        await a.close();
        await b.close();
      }
    });
  },
);
