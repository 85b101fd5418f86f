import { randomUUID } from 'node:crypto';
import { createDatabase, integer, serial, table, varchar } from '@framework/db';
import { describe, expect, it } from 'vitest';
import { makeCache, STORES } from './helpers.ts';

const products = table('products', {
  id: serial('id').primaryKey(),
  name: varchar('name', { length: 100 }).notNull(),
  stock: integer('stock').notNull(),
});

describe.each(STORES)("the db package's query cache on the %s cache", (kind) => {
  it('serves a cached query without touching the database until a write invalidates it', async () => {
    const cache = await makeCache(kind, {}, `db:${randomUUID()}:`);
    const ran: string[] = [];
    const db = await createDatabase({
      driver: 'pglite',
      schema: { products },
      cache: cache.queryStore(),
      slowQuery: false,
      observe: (event) => {
        if (!event.cached) ran.push(event.sql);
      },
    });
    try {
      await db.query(
        'create table products (id serial primary key, name varchar(100) not null, stock integer not null)',
      );
      await db.products.insert({ name: 'lamp', stock: 3 });
      ran.length = 0;
      expect(await db.products.where({ stock: { gt: 0 } }).cache(60)).toEqual([{ id: 1, name: 'lamp', stock: 3 }]);
      expect(await db.products.where({ stock: { gt: 0 } }).cache(60)).toEqual([{ id: 1, name: 'lamp', stock: 3 }]);
      expect(ran.filter((sql) => sql.startsWith('select'))).toHaveLength(1);
      await db.products.where({ id: 1 }).update({ stock: 0 });
      expect(await db.products.where({ stock: { gt: 0 } }).cache(60)).toEqual([]);
      expect(ran.filter((sql) => sql.startsWith('select'))).toHaveLength(2);
    } finally {
      await db.close();
    }
  });
});
