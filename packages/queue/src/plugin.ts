import {
  checkOptions,
  type Duration,
  definePlugin,
  type PluginCommand,
  type PluginInstance,
  type RequiredDecorations,
} from '@framework/core';
import { createQueue, type InputsOf, type OutputsOf, resolveStore } from './create-queue.ts';
import { QueueError } from './errors.ts';
import { isClient } from './internal/connection.ts';
import { checkMs, checkQueueOptions, QUEUE_KEYS } from './internal/options.ts';
import type { JobMap, JobSchemas, Queue, QueueOptions } from './types.ts';

/** The queue a definition makes: typed by its `jobs` schemas when it has them. */
export type QueueOf<D> = D extends { jobs: infer S extends JobSchemas }
  ? Queue<OutputsOf<S>, InputsOf<S>>
  : Queue<JobMap>;

/** The queues of a plugin, by name. @example `QueuesOf<{ emails: { jobs: {...} } }>` */
export type QueuesOf<D extends Record<string, QueueOptions<JobSchemas>>> = { [K in keyof D]: QueueOf<D[K]> };

/** What `app.use(queue({...}))` adds: `app.queues`, `ctx.queues`, the `queue:*` commands and a health check. */
export interface QueueExports<Q> {
  decorate: { queues: Q };
  context: { queues: () => Q };
  commands: Record<string, PluginCommand>;
  health: { queues: () => Promise<unknown> };
}

/**
 * Options of the `queue()` plugin.
 *
 * @example
 * ```ts
 * app.use(queue({ emails: {} }, { work: process.env.ROLE !== 'web', closeTimeout: 30_000 }));
 * ```
 */
export interface QueuePluginOptions {
  /** Run workers in this process (default true). `false` for web processes when `framework queue:work` runs them elsewhere. */
  work?: boolean;
  /**
   * Milliseconds (a bare number) or a string with a unit (`'30s'`): how long the app's stop waits
   * for active jobs before closing anyway. Default 10 s. It bounds the whole close: `app.stop()` returns within it (plus a second) whatever Redis does.
   */
  closeTimeout?: Duration;
}

/**
 * Queues as a plugin: each definition becomes a queue (BullMQ on the app's Redis — `app.redis` from
 * `@framework/cache`, or `REDIS_URL` — else the inline driver), on `app.queues` and `ctx.queues`.
 * Workers stop after their active jobs when the app stops. The plugin adds the commands
 * `framework queue:work [queues...]` (workers in a process of their own, until SIGTERM) and
 * `framework queue:flush <queues...>`.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { createApp } from '@framework/core';
 * import { queue } from '@framework/queue';
 *
 * const app = createApp().use(queue({ emails: { concurrency: 5, jobs: { sendWelcome: z.object({ userId: z.number() }) } } }));
 * app.queues.emails.process('sendWelcome', async (job) => ({ sent: job.data.userId }));
 * app.post('/users', async (ctx) => {
 *   await ctx.queues.emails.add('sendWelcome', { userId: 123 });
 *   return { queued: true };
 * });
 * ```
 */
export function queue<const D extends Record<string, QueueOptions<JobSchemas>>>(
  definitions: D,
  options: QueuePluginOptions = {},
): PluginInstance<QueueExports<QueuesOf<D>>, RequiredDecorations<typeof requires>> {
  // Checked at registration: a misspelled option is an error with "did you mean", not ignored.
  checkOptions('queue() options', options, { work: true, closeTimeout: true });
  if (typeof definitions !== 'object' || definitions === null || Array.isArray(definitions)) {
    throw new QueueError(
      'FW_QUEUE_CONFIG',
      "queue() takes the queues by name, e.g. queue({ emails: { concurrency: 5 } }); pass {} for a queue's defaults.",
    );
  }
  for (const [name, definition] of Object.entries(definitions)) {
    checkQueueOptions(`queue({ ${JSON.stringify(name)}: ... })`, definition, QUEUE_KEYS);
  }
  const closeTimeout = checkMs(options.closeTimeout ?? '10s', 'queue() closeTimeout');
  // The plugin is untyped in the queue names; this wrapper gives the app the queues `definitions` declare.
  return queuePlugin({ definitions, work: options.work, closeTimeout }) as PluginInstance<
    QueueExports<QueuesOf<D>>,
    RequiredDecorations<typeof requires>
  >;
}

/** The Redis connection of `@framework/cache`, when it is registered first with one: queues share its settings. */
const requires = {
  redis: { is: isClient, optional: true, from: '@framework/cache (app.use(cache({ redis })))' },
} as const;

const queuePlugin = definePlugin({
  name: '@framework/queue',
  requires,
  // Synchronous on purpose: `app.queues` exists right after `app.use(queue(...))`.
  setup(
    app,
    settings: {
      definitions: Record<string, QueueOptions<JobSchemas>>;
      work: boolean | undefined;
      closeTimeout: number;
    },
  ): QueueExports<Record<string, Queue>> {
    const queues: Record<string, Queue> = {};
    const inline: string[] = [];
    for (const [name, definition] of Object.entries(settings.definitions)) {
      const resolved: QueueOptions<JobSchemas> = {
        ...definition,
        redis: definition.redis ?? app.redis,
        work: definition.work ?? settings.work,
      };
      if (resolveStore(resolved).implicit) inline.push(name);
      queues[name] = createQueue(name, { logger: app.logger, ...resolved });
    }
    if (inline.length > 0) {
      // Explicit `store: 'inline'` is a choice and is not reported; falling back to it is.
      app.productionDefault({
        what: `Queue${inline.length === 1 ? '' : 's'} ${inline.map((name) => `"${name}"`).join(', ')} run${inline.length === 1 ? 's' : ''} jobs on the inline driver (in this process, lost on restart) because REDIS_URL is not set`,
        fix: "Set REDIS_URL=redis://host:6379 (or pass redis, or register @framework/cache first), or choose the inline driver explicitly with store: 'inline'",
      });
    }
    const all = Object.values(queues);
    app.onClose(() => Promise.all(all.map((q) => q.close(settings.closeTimeout))));
    return {
      decorate: { queues },
      context: { queues: () => queues },
      commands: queueCommands(queues, settings.closeTimeout),
      health: { queues: () => Promise.all(all.map((q) => q.stats())) },
    };
  },
});

/** `queue:work` and `queue:flush`. */
function queueCommands(queues: Record<string, Queue>, closeTimeout: number): Record<string, PluginCommand> {
  const pick = (args: readonly string[], io: { stderr(line: string): void }): Queue[] | undefined => {
    const names = args.filter((arg) => !arg.startsWith('--'));
    const unknown = names.filter((name) => !(name in queues));
    if (unknown.length > 0) {
      io.stderr(`Unknown queue ${unknown.join(', ')}; the app's queues are: ${Object.keys(queues).join(', ')}.`);
      return undefined;
    }
    return (names.length > 0 ? names : Object.keys(queues)).map((name) => queues[name]!);
  };
  return {
    'queue:work': {
      description: 'Run the workers of the queues (all, or those named) until SIGTERM or SIGINT',
      usage: 'queue:work [queue...]',
      async run(args, io) {
        const selected = pick(args, io);
        if (selected === undefined) return 1;
        for (const q of selected) q.work();
        io.stdout(`working on ${selected.map((q) => `${q.name} (${q.store})`).join(', ')}; SIGTERM to stop`);
        const signal = await new Promise<NodeJS.Signals>((resolve) => {
          process.once('SIGTERM', () => resolve('SIGTERM'));
          process.once('SIGINT', () => resolve('SIGINT'));
        });
        io.stdout(`${signal}: finishing active jobs (up to ${closeTimeout} ms)`);
        await Promise.all(selected.map((q) => q.close(closeTimeout)));
        io.stdout('stopped');
        return 0;
      },
    },
    'queue:flush': {
      description: 'Delete every job of the named queues (all states)',
      usage: 'queue:flush <queue...> | --all',
      async run(args, io) {
        if (args.length === 0) {
          io.stderr('Name the queues to flush, or pass --all: this deletes their jobs for good.');
          return 1;
        }
        const selected = args.includes('--all') ? Object.values(queues) : pick(args, io);
        if (selected === undefined) return 1;
        for (const q of selected) await q.flush();
        io.stdout(`flushed ${selected.map((q) => q.name).join(', ')}`);
        return 0;
      },
    },
  };
}
