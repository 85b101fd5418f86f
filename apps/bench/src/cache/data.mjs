// What the cache benchmark stores and looks up: realistic user objects (~300 bytes of JSON each),
// the keys, and the pre-generated random indexes every contender walks in the same order.

/** Keys pre-filled in the memory stores. */
export const KEY_COUNT = 10_000;
/** Length of the pre-generated index arrays (a power of two: `j & INDEX_MASK` wraps around). */
export const INDEX_LENGTH = 1 << 16;
export const INDEX_MASK = INDEX_LENGTH - 1;
/** Distinct values the set workloads write (so that an overwrite replaces the value with another object). */
export const POOL_SIZE = 1024;
/** Share of sets in the mixed workload. */
export const MIXED_SET_SHARE = 0.1;
/** Operations in flight at once in the concurrent Redis workload. */
export const IN_FLIGHT = 50;

/** The Redis key raw ioredis reads (plain JSON), and the cache key ours reads (under the cache's `cache:` prefix). */
export const RAW_KEY = 'bench:raw:user:42';
export const CACHE_KEY = 'bench:user:42';

/** Deterministic pseudo-random numbers in [0, 1) from `seed` (mulberry32). */
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

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Frances', 'John'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Allen', 'Backus'];
const CITIES = [
  ['London', 'GB'],
  ['New York', 'US'],
  ['Paris', 'FR'],
  ['Berlin', 'DE'],
  ['Tokyo', 'JP'],
  ['Lisbon', 'PT'],
];

/** A user object of 12 fields, about 300 bytes of JSON, different for each `i`. */
export function user(i) {
  const first = FIRST[i % FIRST.length];
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length];
  const [city, country] = CITIES[i % CITIES.length];
  const hex = (n) => (n >>> 0).toString(16).padStart(8, '0');
  const h = Math.imul(i + 1, 2654435761);
  return {
    id: i,
    uuid: `${hex(h)}-${hex(h ^ 0x5bd1e995).slice(0, 4)}-4${hex(h * 7).slice(1, 4)}-a${hex(h * 13).slice(1, 4)}-${hex(h * 31)}${hex(h * 17).slice(0, 4)}`,
    email: `${first.toLowerCase()}.${last.toLowerCase()}${i}@example.com`,
    name: `${first} ${last}`,
    username: `${first.toLowerCase()}${i}`,
    age: 18 + (i % 60),
    city,
    country,
    roles: i % 3 === 0 ? ['user', 'editor'] : ['user'],
    active: i % 7 !== 0,
    createdAt: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString(),
    bio: `Member #${i}; writes about compilers and caches.`,
  };
}

/** The value of the Redis part: one user. */
export const REDIS_VALUE = user(42);

/** `count` indexes in [0, KEY_COUNT) from `seed`. */
export function randomIndexes(seed, count = INDEX_LENGTH, bound = KEY_COUNT) {
  const next = prng(seed);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.floor(next() * bound);
  return out;
}

/** 1 where the mixed workload sets, 0 where it gets (MIXED_SET_SHARE of ones), from `seed`. */
export function mixedPlan(seed) {
  const next = prng(seed);
  const out = new Uint8Array(INDEX_LENGTH);
  for (let i = 0; i < INDEX_LENGTH; i++) out[i] = next() < MIXED_SET_SHARE ? 1 : 0;
  return out;
}

/** Everything the memory workloads need, identical in every contender's process. */
export function memoryFixtures() {
  const keys = Array.from({ length: KEY_COUNT }, (_, i) => `user:${i}`);
  const values = Array.from({ length: KEY_COUNT }, (_, i) => user(i));
  const pool = Array.from({ length: POOL_SIZE }, (_, i) => ({ ...user(KEY_COUNT + i), id: i }));
  return {
    keys,
    values,
    pool,
    getIndexes: randomIndexes(1),
    setIndexes: randomIndexes(2),
    poolIndexes: randomIndexes(3, INDEX_LENGTH, POOL_SIZE),
    plan: mixedPlan(4),
  };
}
