import type { Feature } from './types.ts';

/** @framework/cache: `GET /notes` is cached and recomputed when a note is added. */
export const cache: Feature = {
  package: '@framework/cache',
  layers: [],
  imports: ["import { cache } from '@framework/cache';"],
  plugin: {
    comment: ['// Redis at REDIS_URL (shared by every instance); in memory without it and under tests.'],
    use: ["cache({ ttl: 60, redis: config.redis.url, store: config.redis.url ? 'redis' : 'memory' })"],
  },
  list: "handler: (ctx) => ctx.cache.wrap('notes', () => notes.list(), { tags: ['notes'] }),",
  setup: [],
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
  ],
  secrets: [],
  shared: { redis: '{ url: env.REDIS_URL }' },
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
    ],
  },
};
