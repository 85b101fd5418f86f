import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database, openClient } from '../src/index.ts';
import { freshUrl } from './helpers.ts';
import { DDL, posts, users } from './schema.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A loopback server that accepts connections and never answers: a connect that can only time out. */
async function silentServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `postgres://app:secret@127.0.0.1:${port}/app`,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('one way to say time in @framework/db', () => {
  describe('query.cache(ttl): a bare number is seconds, like @framework/cache ttl', () => {
    let db: Database<{ users: typeof users; posts: typeof posts }>;
    let ran = 0;

    beforeAll(async () => {
      db = await createDatabase({
        driver: 'pglite',
        schema: { users, posts },
        observe: (event) => {
          if (!event.cached && event.sql.startsWith('select')) ran++;
        },
      });
      for (const statement of DDL) await db.query(statement);
      await db.users.insert({ email: 'ada@example.com', name: 'Ada', country: 'GB' });
    });
    afterAll(async () => {
      await db.close();
    });

    it('cache(1) keeps the result for a second, not a millisecond', async () => {
      const query = db.users.where({ country: 'GB' }).cache(1);
      ran = 0;
      expect(await query).toHaveLength(1);
      await sleep(150);
      expect(await query).toHaveLength(1);
      expect(ran).toBe(1);
      await sleep(1_000);
      await query;
      expect(ran).toBe(2);
    });

    it("accepts strings with a unit ('150ms') the same way", async () => {
      const query = db.users.where({ country: 'GB' }).cache('150ms', { key: 'gb-short' });
      ran = 0;
      await query;
      await query;
      expect(ran).toBe(1);
      await sleep(300);
      await query;
      expect(ran).toBe(2);
    });

    it('refuses a TTL it cannot read, naming the option and the accepted forms', () => {
      expect(() => db.users.where({ country: 'GB' }).cache(-1)).toThrow(
        /cache\(\) ttl must be a duration: seconds as a number, or a string such as '500ms'/,
      );
    });
  });

  describe('connection times are milliseconds (or strings) everywhere', () => {
    let silent: Awaited<ReturnType<typeof silentServer>>;
    beforeAll(async () => {
      silent = await silentServer();
    });
    afterAll(async () => {
      await silent.stop();
    });

    it('openClient({ connectTimeout: 300 }) gives up on a silent server within 3 s (it used to mean 300 s)', async () => {
      const client = await openClient({ kind: 'postgres', url: silent.url, connectTimeout: 300 });
      const started = performance.now();
      await expect(client.query('select 1')).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(3_000);
      await client.close(0);
    });

    it("createDatabase({ pool: { connectionTimeout: '300ms' } }) gives up within 3 s", async () => {
      const db = await createDatabase({
        driver: 'postgres',
        url: silent.url,
        schema: { users },
        pool: { connectionTimeout: '300ms' },
        retry: { attempts: 1 },
        breaker: false,
      });
      const started = performance.now();
      await expect(db.query('select 1')).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(3_000);
      await db.close(0);
    });

    it('refuses a pool time it cannot read before connecting', async () => {
      await expect(
        // @ts-expect-error: not a Duration
        createDatabase({ driver: 'postgres', url: silent.url, schema: { users }, pool: { queryTimeout: '5 minutes' } }),
      ).rejects.toThrow(/pool\.queryTimeout must be a duration: milliseconds as a number/);
    });
  });

  describe('close(timeout) on a real PostgreSQL', () => {
    it('close(300) waits 300 ms for a running statement, not 300 s', async () => {
      const url = await freshUrl('postgres');
      if (url === undefined) throw new Error('no PostgreSQL URL');
      const db = await createDatabase({ driver: 'postgres', url, schema: { users } });
      const running = db.query('select pg_sleep(20)').catch(() => 'ended');
      await sleep(200);
      const started = performance.now();
      await db.close(300);
      expect(performance.now() - started).toBeLessThan(3_000);
      expect(await running).toBe('ended');
    });
  });
});
