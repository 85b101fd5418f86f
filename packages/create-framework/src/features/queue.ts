import type { Feature } from './types.ts';

/** @framework/queue: a `noteCreated` job runs in the background after each new note. */
export const queue: Feature = {
  package: '@framework/queue',
  layers: [],
  imports: ["import { queue } from '@framework/queue';"],
  plugin: {
    comment: ['// BullMQ on REDIS_URL (durable, workers in every instance); in process without it and under tests.'],
    use: [
      'queue({',
      '  default: {',
      '    jobs: { noteCreated: z.object({ id: z.number(), title: z.string() }) },',
      '    redis: config.redis.url,',
      "    store: config.redis.url ? 'redis' : 'inline',",
      '  },',
      '}),',
    ],
  },
  setup: [
    '',
    '// Work that need not hold up the response runs as a job, retried when it fails.',
    "app.queues.default.process('noteCreated', async (job) => {",
    "  app.logger.info({ id: job.data.id }, 'a note was created');",
    '  return { id: job.data.id };',
    '});',
  ],
  created: ["await ctx.queues.default.add('noteCreated', { id: note.id, title: note.title });"],
  routes: [],
  env: [
    {
      name: 'REDIS_URL',
      schema: 'z.url().optional()',
      example: [
        '# Redis for the cache and the queues; without it they run in this process.',
        '# REDIS_URL=redis://127.0.0.1:6379',
      ],
      requiredInProduction:
        'Required in production, where jobs must survive a restart: set REDIS_URL=redis://host:6379',
    },
  ],
  secrets: [],
  shared: { redis: '{ url: env.REDIS_URL }' },
  test: { redis: '{ url: undefined }' },
  testImports: ['vi'],
  tests: [
    '',
    "it('runs a job for each new note', async () => {",
    '  const api = app();',
    "  await api.request('/notes', json({ title: 'in the background' }));",
    '  await vi.waitFor(async () => expect(await api.queues.default.stats()).toMatchObject({ completed: 1, failed: 0 }));',
    '});',
  ],
  dockerCopy: [],
  readme: {
    paths: [],
    settings: [
      '**Queue** (@framework/queue): with `REDIS_URL` set, jobs run on BullMQ and survive restarts;',
      'without it they run in this process (fine for development and tests, and refused in production).',
      'Every instance works the queue; `{{exec}} framework queue:work` runs workers in a process of their own.',
    ],
  },
};
