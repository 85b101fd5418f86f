// The database every contender works on: the tables, the seed, the workloads' inputs and the
// answers they must give (computed with plain SQL, independently of every contender).

export const USERS = 10_000;
export const POSTS = 50_000;
export const BULK_ROWS = 1000;
/** The bulk table is truncated (outside the timed region) every this many inserts, so it never exceeds USERS rows. */
export const INSERTS_PER_TRUNCATE = 10;
/** The filter of the join workload, as the contenders hard-code it. */
export const JOIN_MIN_AGE = 30;
export const JOIN_LIMIT = 50;

// `bulk_users` has the shape of `users` (same columns, same unique index on email); the bulk insert
// goes there because `users` cannot be truncated while `posts` references it.
const DDL = [
  `create table users (
     id serial primary key,
     email varchar(255) not null unique,
     name varchar(100),
     age integer
   )`,
  `create table posts (
     id serial primary key,
     user_id integer not null references users(id),
     title varchar(200) not null,
     published boolean not null default false,
     created_at timestamp default now()
   )`,
  'create index posts_user_id_idx on posts (user_id)',
  `create table bulk_users (
     id serial primary key,
     email varchar(255) not null unique,
     name varchar(100),
     age integer
   )`,
];

/**
 * Creates the tables and seeds them deterministically: users 1..USERS with ages 18–80, posts whose
 * authors and `published` flags are spread over all users (two posts in three are published).
 * `sql` is a postgres.js client connected to the (fresh) benchmark database.
 */
export async function createSchema(sql) {
  for (const statement of DDL) await sql.unsafe(statement);
  await sql`
    insert into users (email, name, age)
    select 'user' || i || '@example.com', 'User ' || i, 18 + (i * 7) % 63
    from generate_series(1, ${USERS}::int) as i`;
  await sql`
    insert into posts (user_id, title, published, created_at)
    select 1 + (i * 37) % ${USERS}::int, 'Post ' || i, i % 3 <> 0, timestamp '2026-01-01' + i * interval '1 minute'
    from generate_series(1, ${POSTS}::int) as i`;
  await sql`vacuum analyze users`;
  await sql`vacuum analyze posts`;
}

/** The answers every contender must give, from plain SQL. */
export async function expectedAnswers(sql, userIds) {
  const users = {};
  for (const id of userIds) {
    const [row] = await sql`select id, email, name, age from users where id = ${id}`;
    users[id] = row ? { ...row } : null;
  }
  const join = await sql`
    select p.id, p.title, u.name as "authorName"
    from posts p join users u on u.id = p.user_id
    where p.published = true and u.age > ${JOIN_MIN_AGE}
    order by p.id limit ${JOIN_LIMIT}`;
  return { users, join: join.map((row) => ({ ...row })) };
}

/** Ids the correctness check asks for: the edges, a few in between, and one that does not exist (→ null). */
export const CHECK_USER_IDS = [1, 2, 4321, USERS - 1, USERS, USERS + 1_000_000];

/** A small fast PRNG (mulberry32), so that every contender gets the same "random" ids in a round. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` random user ids in 1..USERS from `seed`. */
export function randomUserIds(seed, count) {
  const next = prng(seed);
  const ids = new Int32Array(count);
  for (let i = 0; i < count; i++) ids[i] = 1 + Math.floor(next() * USERS);
  return ids;
}

/**
 * INSERTS_PER_TRUNCATE batches of BULK_ROWS new users, with emails unique across the batches (the
 * table is truncated after the last one). Some names and ages are null, as real data has.
 */
export function bulkBatches() {
  const batches = [];
  for (let b = 0; b < INSERTS_PER_TRUNCATE; b++) {
    const rows = [];
    for (let i = 0; i < BULK_ROWS; i++) {
      const n = b * BULK_ROWS + i;
      rows.push({
        email: `bulk${n}@example.com`,
        name: n % 10 === 0 ? null : `Bulk ${n}`,
        age: n % 13 === 0 ? null : n % 90,
      });
    }
    batches.push(rows);
  }
  return batches;
}
