import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevDatabase, startDevDatabase } from '../src/internal/dev-database.ts';
import { copyFixture } from './helpers.ts';

/** The postgres.js client the app's @framework/db connects with. */
interface Sql {
  unsafe(query: string): Promise<Array<Record<string, unknown>>>;
  begin<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  end(options?: { timeout?: number }): Promise<void>;
}

let app: Awaited<ReturnType<typeof copyFixture>>;
let database: DevDatabase | undefined;
let connect: (url: string) => Sql;
beforeAll(async () => {
  app = await copyFixture();
  const db = createRequire(join(app.root, 'package.json')).resolve('@framework/db');
  const module: unknown = await import(pathToFileURL(createRequire(db).resolve('postgres')).href);
  const postgres = Reflect.get(module as object, 'default') as (url: string, options: object) => Sql;
  connect = (url) => postgres(url, { max: 1, onnotice: () => undefined });
  database = await startDevDatabase(app.root);
}, 60_000);
afterAll(async () => {
  await database?.close();
  await app.remove();
});

async function count(sql: Sql): Promise<number> {
  const [row] = await sql.unsafe('select count(*)::int as n from items');
  return Number(row?.n);
}

describe("the database framework dev serves to the app's connections", () => {
  it('gives the one session to a transaction until it ends, and rolls back one its client left open', async () => {
    expect(database?.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    const url = database?.url ?? '';
    const a = connect(url);
    const b = connect(url);
    try {
      await a.unsafe('create table items (n int)');
      let counted: number | undefined;
      await a.begin(async (sql) => {
        await sql.unsafe('insert into items values (1)');
        const waiting = count(b).then((n) => {
          counted = n;
        });
        await sleep(300);
        // The other connection waits: it would otherwise run inside this transaction.
        expect(counted).toBeUndefined();
        void waiting;
      });
      await sleep(100);
      expect(counted).toBe(1);

      const leaving = connect(url);
      await leaving.unsafe('begin');
      await leaving.unsafe('insert into items values (2)');
      await leaving.end({ timeout: 0 });
      expect(await count(b)).toBe(1);
      expect(await count(a)).toBe(1);
    } finally {
      await a.end();
      await b.end();
    }
  }, 60_000);
});
