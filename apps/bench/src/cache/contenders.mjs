// The contenders of the cache benchmark, each written the way its documentation writes it. A
// contender runs alone in its own process (src/cache/worker.mjs), so its call sites stay
// monomorphic and its JIT state, heap and garbage are its own.
//
// Part 1 (Redis hit path): `open()` resolves to `{ op, close }`, `op()` resolving to the value read.
// Part 2 (memory store): `open()` resolves to `{ async, get(key), set(key, value), info(), close }`.
import { CACHE_KEY, RAW_KEY, REDIS_VALUE } from './data.mjs';

const MiB = 1024 * 1024;
const HOUR_MS = 3_600_000;

/** ioredis' own defaults, resolved once the connection is ready. */
async function rawClient(url, options = {}) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, ...options });
  redis.on('error', () => {});
  await redis.connect();
  return redis;
}

async function oursCache(options) {
  const { createCache } = await import('@framework/cache');
  const cache = createCache({ env: {}, ...options });
  if (!(await cache.ready(10_000))) throw new Error('the cache did not connect to Redis within 10 s');
  return cache;
}

/** A loader that must never run: every `wrap` of the benchmark is a hit. */
function neverLoader(counter) {
  return () => {
    counter.loaderCalls++;
    return REDIS_VALUE;
  };
}

/** In measuring order within a part: the compared ones next to each other. */
export const CONTENDERS = [
  // --- Part 1: the Redis hit path --------------------------------------------------------------
  {
    name: 'ours-get',
    part: 'redis',
    ours: true,
    label: "`await cache.get(key)`, `createCache({ store: 'redis', redis: url })`",
    async open(url) {
      const cache = await oursCache({ store: 'redis', redis: url });
      return { op: () => cache.get(CACHE_KEY), close: () => cache.close() };
    },
  },
  {
    name: 'raw',
    part: 'redis',
    label: '`JSON.parse(await redis.get(key))`, ioredis `new Redis(url)`',
    async open(url) {
      const redis = await rawClient(url);
      return { op: async () => JSON.parse(await redis.get(RAW_KEY)), close: () => redis.quit() };
    },
  },
  {
    name: 'ours-wrap',
    part: 'redis',
    ours: true,
    label: '`await cache.wrap(key, loader)`, key present (the hit path), same cache as ours-get',
    async open(url) {
      const cache = await oursCache({ store: 'redis', redis: url });
      const counter = { loaderCalls: 0 };
      const loader = neverLoader(counter);
      return {
        op: () => cache.wrap(CACHE_KEY, loader),
        close: () => cache.close(),
        stats: () => ({ ...counter, ...cache.stats() }),
      };
    },
  },
  {
    name: 'ours-get-plain',
    part: 'redis',
    ours: true,
    extra: true,
    label:
      "`await cache.get(key)` on `createCache({ store: 'redis', redis: new Redis(url) })`: a client passed in, with ioredis' defaults (no `commandTimeout`)",
    async open(url) {
      const redis = await rawClient(url);
      const cache = await oursCache({ store: 'redis', redis });
      return {
        op: () => cache.get(CACHE_KEY),
        close: async () => {
          await cache.close();
          await redis.quit();
        },
      };
    },
  },
  {
    name: 'raw-get',
    part: 'redis',
    extra: true,
    label: '`await redis.get(key)` (no JSON.parse: the string as Redis sent it)',
    async open(url) {
      const redis = await rawClient(url);
      return { op: () => redis.get(RAW_KEY), close: () => redis.quit() };
    },
  },
  {
    name: 'raw-timeout',
    part: 'redis',
    extra: true,
    label:
      '`JSON.parse(await redis.get(key))` on ioredis with the connection options ours uses (`REQUEST_PATH_DEFAULTS`: `commandTimeout: 250`, no offline queue, one retry)',
    async open(url) {
      const { REQUEST_PATH_DEFAULTS } = await import('@framework/cache/redis');
      const redis = await rawClient(url, { ...REQUEST_PATH_DEFAULTS });
      return { op: async () => JSON.parse(await redis.get(RAW_KEY)), close: () => redis.quit() };
    },
  },
  {
    name: 'ours-tiered-wrap',
    part: 'redis',
    ours: true,
    extra: true,
    label:
      "`await cache.wrap(key, loader)`, `tiers: [{ store: 'memory', ttl: 60 }, { store: 'redis', ttl: 3600 }]`: a hit served from memory",
    async open(url) {
      const cache = await oursCache({
        tiers: [
          { store: 'memory', ttl: 60 },
          { store: 'redis', ttl: 3600 },
        ],
        redis: url,
      });
      const counter = { loaderCalls: 0 };
      const loader = neverLoader(counter);
      return {
        op: () => cache.wrap(CACHE_KEY, loader),
        close: () => cache.close(),
        stats: () => ({ ...counter, ...cache.stats() }),
      };
    },
  },

  // --- Part 2: the memory store ------------------------------------------------------------------
  {
    name: 'ours',
    part: 'memory',
    ours: true,
    label:
      "`MemoryCacheStore` from `@framework/cache/memory`, `{ maxSize: '64MB' }`; `get(k)?.value`, `set(k, v, { ttl: 3_600_000, tags: [], freshUntil: Infinity })` (synchronous)",
    async open() {
      const { MemoryCacheStore } = await import('@framework/cache/memory');
      const store = new MemoryCacheStore({ maxSize: '64MB' });
      // One options object for every set, as an app would hoist it: the store's cost, not a literal's.
      const options = { ttl: HOUR_MS, tags: [], freshUntil: Number.POSITIVE_INFINITY };
      return {
        async: false,
        get: (key) => store.get(key)?.value,
        set: (key, value) => store.set(key, value, options),
        info: () => ({ entries: store.count, bytes: store.size, bound: store.maxSize }),
        close: () => store.close(),
      };
    },
  },
  {
    name: 'lru-cache',
    part: 'memory',
    label:
      '`new LRUCache({ maxSize: 64 MiB, sizeCalculation: (v) => JSON.stringify(v).length, ttl: 3_600_000 })`; `get(k)`, `set(k, v)`',
    async open() {
      const { LRUCache } = await import('lru-cache');
      const lru = new LRUCache({ maxSize: 64 * MiB, sizeCalculation: (v) => JSON.stringify(v).length, ttl: HOUR_MS });
      return {
        async: false,
        get: (key) => lru.get(key),
        set: (key, value) => lru.set(key, value),
        info: () => ({ entries: lru.size, bytes: lru.calculatedSize, bound: lru.maxSize }),
        close: () => lru.clear(),
      };
    },
  },
  {
    name: 'ours-async',
    part: 'memory',
    ours: true,
    extra: true,
    label: "`await cache.get(k)`, `await cache.set(k, v)` on `createCache({ store: 'memory' })` (ttl 3600 s)",
    async open() {
      const { createCache } = await import('@framework/cache');
      const cache = createCache({ store: 'memory', env: {} });
      return {
        async: true,
        get: (key) => cache.get(key),
        set: (key, value) => cache.set(key, value),
        info: () => ({ entries: cache.store.count, bytes: cache.store.size, bound: cache.store.maxSize }),
        close: () => cache.close(),
      };
    },
  },
  {
    name: 'lru-count',
    part: 'memory',
    extra: true,
    label:
      '`new LRUCache({ max: 100_000, ttl: 3_600_000 })`: bounded by entries, **not by bytes** (no sizeCalculation, no maxSize)',
    async open() {
      const { LRUCache } = await import('lru-cache');
      const lru = new LRUCache({ max: 100_000, ttl: HOUR_MS });
      return {
        async: false,
        get: (key) => lru.get(key),
        set: (key, value) => lru.set(key, value),
        info: () => ({ entries: lru.size, bytes: null, bound: null }),
        close: () => lru.clear(),
      };
    },
  },
];

export const REDIS_WORKLOADS = [
  { id: 'seq', label: 'sequential (one at a time)' },
  { id: 'conc', label: '50 in flight' },
];

export const MEMORY_WORKLOADS = [
  { id: 'get', label: 'get (hit)' },
  { id: 'set', label: 'set (overwrite)' },
  { id: 'mixed', label: 'mixed 90 % get / 10 % set' },
];
