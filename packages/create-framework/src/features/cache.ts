import type { Feature } from './types.ts';

/**
 * @framework/cache: `GET /notes` is cached and recomputed when a note is added, and each client may
 * add `NOTES_PER_MINUTE` notes a minute, counted in Redis (so across instances) when it is set.
 */
export const cache: Feature = {
  package: '@framework/cache',
  layers: [],
  imports: [
    "import { cache } from '@framework/cache';",
    "import { RedisRateLimitStore } from '@framework/cache/redis';",
    "import { MemoryRateLimitStore, rateLimit } from '@framework/core';",
  ],
  plugin: {
    comment: ['// Redis at REDIS_URL (shared by every instance); in memory without it and under tests.'],
    use: ["cache({ ttl: 60, redis: config.redis.url, store: config.redis.url ? 'redis' : 'memory' })"],
  },
  list: "handler: (ctx) => ctx.cache.wrap('notes', () => notes.list(), { tags: ['notes'] }),",
  setup: [
    '// Each client (ctx.ip) may add config.limits.notesPerMinute notes a minute; past it, 429 with',
    '// Retry-After. The counts live in Redis when REDIS_URL is set, so they hold across instances.',
    'app.use(',
    '  rateLimit({',
    "    routes: { 'POST /notes': { max: config.limits.notesPerMinute, window: '1m' }, '* /*': false },",
    '    store: app.redis ? new RedisRateLimitStore(app.redis) : new MemoryRateLimitStore(),',
    '  }),',
    ');',
  ],
  created: ["await ctx.cache.invalidateTags(['notes']);"],
  routes: [],
  env: [
    {
      name: 'REDIS_URL',
      schema: 'z.url().optional()',
      example: [
        '# Redis for the cache and the queues; without it they run in this process.',
        '# REDIS_URL=redis://127.0.0.1:6379',
      ],
    },
    {
      name: 'NOTES_PER_MINUTE',
      schema: 'z.coerce.number().int().positive().default(30)',
      example: [
        '# How many notes one client may add a minute (429 past it), counted across instances.',
        '# NOTES_PER_MINUTE=30',
      ],
    },
  ],
  secrets: [],
  shared: { redis: '{ url: env.REDIS_URL }', limits: '{ notesPerMinute: env.NOTES_PER_MINUTE }' },
  test: { redis: '{ url: undefined }' },
  testImports: [],
  tests: [],
  dockerCopy: [],
  readme: {
    paths: [],
    settings: [
      '**Cache** (@framework/cache): `REDIS_URL` points at Redis, which every instance then shares;',
      'without it the cache is in this process. `GET /notes` is cached for a minute and recomputed as',
      'soon as a note is added (`ctx.cache.wrap` with a tag, `invalidateTags`).',
      '',
      '**Rate limit**: each client may add `NOTES_PER_MINUTE` notes a minute (30 by default); past it',
      '`POST /notes` answers 429 with `Retry-After`, and other routes are not limited. With `REDIS_URL`',
      'the counts live in Redis (`RedisRateLimitStore`), so a client gets the same limit whichever',
      'instance serves it; without it each process counts on its own. The client is `ctx.ip`: behind a',
      'load balancer, see `TRUST_PROXY`.',
    ],
  },
};
