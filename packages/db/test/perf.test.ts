import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDatabase, type Database, integer, serial, table, varchar } from '../src/index.ts';
import type { QueryEvent } from '../src/perf/statement-log.ts';
import { freshUrl, TARGETS, type TargetName } from './helpers.ts';
import { DDL, posts, users } from './schema.ts';

/** A table with no index besides its primary key, for explain(). */
const accounts = table('accounts', {
  id: serial('id').primaryKey(),
  email: varchar('email', { length: 255 }).notNull(),
  country: varchar('country', { length: 2 }),
  score: integer('score'),
});

interface Logged {
  message: string;
  fields: Record<string, unknown> | undefined;
}

function collector() {
  const logged: Logged[] = [];
  return {
    logged,
    logger: { warn: (fields: Record<string, unknown>, message: string) => logged.push({ message, fields }) },
  };
}

const schema = { users, posts, accounts };
type Db = Database<typeof schema>;

async function open(target: TargetName, options: Omit<Parameters<typeof createDatabase<typeof schema>>[0], 'schema'>) {
  const db = await createDatabase({ driver: target, url: await freshUrl(target), schema, ...options });
  for (const statement of DDL) await db.query(statement);
  const [ada, alan] = await db.users.insert([
    { email: 'ada@example.com', name: 'Ada', country: 'GB' },
    { email: 'alan@example.com', name: 'Alan', country: 'GB' },
  ]);
  await db.posts.insert(
    Array.from({ length: 8 }, (_, n) => ({ userId: (n % 2 === 0 ? ada : alan)!.id, title: `Post ${n}` })),
  );
  return db;
}

describe.each(TARGETS)('query observer and slow-query log on %s', (target) => {
  const slow = collector();
  const events: QueryEvent[] = [];
  let db: Db;

  beforeAll(async () => {
    db = await open(target, {
      slowQuery: { threshold: '200ms', logger: slow.logger },
      observe: (event) => events.push(event),
    });
  });
  afterAll(async () => {
    await db.close();
  });

  it('sees each statement with its SQL, parameter count, kind and duration, never the values', async () => {
    events.length = 0;
    await db.users.where({ email: 'ada@example.com' }).first();
    await db.users.where({ email: 'nobody@example.com' }).update({ name: 'x' });
    await db.query('select $1::int as n', [7]);
    expect(events.map((event) => [event.kind, event.params])).toEqual([
      ['read', 2],
      ['write', 2],
      ['raw', 1],
    ]);
    expect(events[0]?.sql).toMatch(/^select .* from "users" where "users"."email" = \$1 limit \$2$/);
    expect(events.every((event) => event.durationMs >= 0 && !event.cached)).toBe(true);
    expect(JSON.stringify(events)).not.toContain('ada@example.com');
  });

  it('logs a statement slower than the threshold with its duration and call site', async () => {
    slow.logged.length = 0;
    await db.query('select pg_sleep(0.3)');
    expect(slow.logged).toHaveLength(1);
    const [entry] = slow.logged;
    expect(entry?.message).toMatch(/^Slow query: [\d.]+ ms \(threshold 200 ms\) at test\/perf\.test\.ts:\d+:\d+/);
    expect(entry?.fields).toMatchObject({ sql: 'select pg_sleep(0.3)', thresholdMs: 200, params: 0 });
    expect(Number(entry?.fields?.durationMs)).toBeGreaterThanOrEqual(300);
  });

  it('observes statements inside transactions, but not the transaction itself', async () => {
    events.length = 0;
    await db.transaction(async (trx) => {
      await trx.users.where({ email: 'ada@example.com' }).first();
      await trx.savepoint(async (sp) => {
        await sp.users.where({ email: 'alan@example.com' }).first();
      });
    });
    expect(events.map((event) => event.sql.split(' ')[0])).toEqual(['select', 'select']);
  });
});

describe.each(TARGETS)('an observer asking for stacks on %s', (target) => {
  it('gets the stack where each query started', async () => {
    const events: QueryEvent[] = [];
    const db = await open(target, {
      slowQuery: false,
      observe: { onQuery: (event) => events.push(event), stack: true },
    });
    try {
      events.length = 0;
      await db.users.find(1);
      expect(events).toHaveLength(1);
      expect(events[0]?.trace?.callSite).toMatch(/^test\/perf\.test\.ts:\d+:\d+$/);
      expect(events[0]?.trace?.stack).toContain('perf.test.ts');
    } finally {
      await db.close();
    }
  });
});

describe.each(TARGETS)('the slow-query log keeps values out on %s', (target) => {
  it('logs placeholders, blanks literals of raw SQL, and names the caller', async () => {
    const slow = collector();
    const db = await open(target, { slowQuery: { threshold: 0, logger: slow.logger } });
    try {
      slow.logged.length = 0;
      await db.users.where({ email: 'secret-address@example.com' }).first();
      await db.query("select 'secret-literal' as x where $1::text is not null", ['secret-param']);
      expect(slow.logged).toHaveLength(2);
      expect(slow.logged[0]?.fields?.sql).toMatch(/"users"."email" = \$1/);
      expect(slow.logged[1]?.fields?.sql).toBe("select '?' as x where $1::text is not null");
      expect(slow.logged[0]?.fields?.callSite).toMatch(/^test\/perf\.test\.ts:\d+:\d+$/);
      const text = JSON.stringify(slow.logged);
      expect(text).not.toContain('secret-address');
      expect(text).not.toContain('secret-literal');
      expect(text).not.toContain('secret-param');
    } finally {
      await db.close();
    }
  });

  it('logs nothing when turned off', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const db = await open(target, { slowQuery: false, detectNPlusOne: false });
    try {
      await db.query('select pg_sleep(0.6)');
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      await db.close();
    }
  });
});

describe.each(TARGETS)('N+1 detection on %s', (target) => {
  const warnings = collector();
  let db: Db;

  beforeAll(async () => {
    db = await open(target, { slowQuery: false, detectNPlusOne: { logger: warnings.logger } });
  });
  afterAll(async () => {
    await db.close();
  });

  it('warns once per query shape, naming the table, the call site and .with() (spec §4.5.1)', async () => {
    warnings.logged.length = 0;
    await db.track(async () => {
      const all = await db.posts.all();
      expect(all).toHaveLength(8);
      for (const post of all) {
        await db.users.find(post.userId);
      }
    });
    expect(warnings.logged).toHaveLength(1);
    const [warning] = warnings.logged;
    expect(warning?.message).toMatch(/^N\+1 query detected: the same query on users ran 5 times in one request/);
    expect(warning?.message).toContain(".with('<relation>')");
    expect(warning?.fields).toMatchObject({ table: 'users', count: 5 });
    expect(warning?.fields?.callSite).toMatch(/^test\/perf\.test\.ts:\d+:\d+$/);
    expect(warning?.message).toContain(String(warning?.fields?.callSite));
  });

  it('warns for each distinct shape, and suggests one insert for inserts in a loop', async () => {
    warnings.logged.length = 0;
    await db.track(async () => {
      for (let n = 0; n < 5; n++) {
        await db.users.where({ email: `u${n}@example.com` }).first();
        await db.posts.where({ title: `t${n}` }).first();
      }
      for (let n = 0; n < 5; n++) await db.users.insert({ email: `loop${n}@example.com` });
    });
    expect(warnings.logged.map((entry) => entry.fields?.table)).toEqual(['users', 'posts', 'users']);
    expect(warnings.logged[2]?.message).toContain('pass an array to insert()');
  });

  it('stays quiet below the threshold, across separate scopes, and outside any scope', async () => {
    warnings.logged.length = 0;
    const four = async () => {
      for (let id = 1; id <= 4; id++) await db.users.find(id);
    };
    await db.track(four);
    await db.track(four);
    for (let id = 1; id <= 10; id++) await db.users.find(id);
    expect(warnings.logged).toEqual([]);
  });

  it('is off when detectNPlusOne is false, and by default outside development', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const off = await open(target, { slowQuery: false, detectNPlusOne: false });
    const byDefault = await open(target, { slowQuery: false });
    try {
      for (const database of [off, byDefault]) {
        await database.track(async () => {
          for (let id = 1; id <= 10; id++) await database.users.find(id);
        });
      }
      expect(process.env.NODE_ENV).not.toBe('development');
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      await off.close();
      await byDefault.close();
    }
  });
});

describe.each(TARGETS)('explain() on %s', (target) => {
  let db: Db;

  beforeAll(async () => {
    db = await createDatabase({
      driver: target,
      url: await freshUrl(target),
      schema,
      slowQuery: false,
      // Tiny tables are scanned whatever their indexes: make the planner use an index whenever one fits.
      settings: { enable_seqscan: 'off' },
    });
    if (target === 'pglite') await db.query('set enable_seqscan = off');
    await db.query(
      'create table accounts (id serial primary key, email varchar(255) not null, country varchar(2), score integer)',
    );
    await db.query('create index accounts_score_idx on accounts (score)');
    await db.accounts.insert([
      { email: 'a@example.com', country: 'FI', score: 1 },
      { email: 'b@example.com', country: 'GB', score: 2 },
    ]);
  });
  afterAll(async () => {
    await db.close();
  });

  it('returns the plan as text and JSON, and suggests an index for a filtered sequential scan', async () => {
    const result = await db.accounts.where({ email: 'a@example.com' }).explain();
    expect(result.json.Plan['Node Type']).toBe('Seq Scan');
    expect(result.json.Plan['Relation Name']).toBe('accounts');
    expect(result.json['Execution Time']).toBeUndefined();
    expect(result.plan).toMatch(/^Seq Scan on accounts {2}\(cost=[\d.]+\.\.[\d.]+ rows=\d+ width=\d+\)\n {2}Filter: /);
    expect(result.suggestions).toEqual(['Add an index on accounts(email)']);
  });

  it('suggests nothing for a column an index starts with', async () => {
    const result = await db.accounts.where({ score: { gte: 2 } }).explain();
    expect(result.plan).toContain('accounts_score_idx');
    expect(result.suggestions).toEqual([]);
  });

  it('stops suggesting once the index exists', async () => {
    await db.query('create index accounts_country_idx on accounts (country)');
    const before = await db.accounts.where({ email: 'b@example.com', country: 'GB' }).explain();
    expect(before.suggestions).toEqual([]);
    expect(before.plan).toContain('accounts_country_idx');
    await db.query('create index accounts_email_idx on accounts (email)');
    const after = await db.accounts.where({ email: 'b@example.com' }).explain();
    expect(after.json.Plan['Node Type']).not.toBe('Seq Scan');
    expect(after.plan).toContain('accounts_email_idx');
    expect(after.suggestions).toEqual([]);
  });

  it('runs the query with analyze: true and reports actual times', async () => {
    const result = await db.accounts.where({ country: 'FI' }).explain({ analyze: true });
    expect(result.json['Execution Time']).toEqual(expect.any(Number));
    expect(result.json.Plan['Actual Rows']).toBe(1);
    expect(result.plan).toMatch(/actual time=[\d.]+\.\.[\d.]+ rows=1 loops=1/);
    expect(result.plan).toMatch(/Execution Time: [\d.]+ ms$/);
  });
});
