import { createLogger, type InferInput, type InferOutput } from '@framework/core';
import { QueueError } from './errors.ts';
import { InlineQueue } from './inline-queue.ts';
import type { RedisSource } from './internal/connection.ts';
import { checkQueueOptions, QUEUE_KEYS } from './internal/options.ts';
import { RedisQueue } from './redis-queue.ts';
import type { JobMap, JobSchemas, Queue, QueueLogger, QueueOptions } from './types.ts';

/** The data handlers receive, per job name, from a queue's schemas. @example `OutputsOf<{ a: z.ZodString }>` */
export type OutputsOf<S extends JobSchemas> = { [K in keyof S]: InferOutput<S[K]> };
/** The data `add` takes, per job name, from a queue's schemas. @example `InputsOf<{ a: z.ZodString }>` */
export type InputsOf<S extends JobSchemas> = { [K in keyof S]: InferInput<S[K]> };

/** Options of `createQueue` beyond the queue's own: where failures are logged. */
export interface CreateQueueOptions<S extends JobSchemas> extends QueueOptions<S> {
  /** Default: JSON lines on stderr. */
  logger?: QueueLogger;
}

/**
 * Which driver a queue's options choose, and whether that was chosen implicitly (no `store`, no
 * connection, no `REDIS_URL`: the inline driver as a development default).
 *
 * @example
 * ```ts
 * resolveStore({ env: {} }); // { store: 'inline', source: undefined, implicit: true }
 * ```
 */
export function resolveStore(options: QueueOptions<JobSchemas>): {
  store: 'redis' | 'inline';
  source: RedisSource | undefined;
  implicit: boolean;
} {
  const env = options.env ?? process.env;
  const source = options.redis ?? (env.REDIS_URL || undefined);
  const store = options.store ?? (source === undefined ? 'inline' : 'redis');
  return { store, source, implicit: options.store === undefined && source === undefined };
}

/**
 * A queue of background jobs: BullMQ on Redis when a connection is configured
 * (`redis` or `REDIS_URL`), else the inline driver, which runs jobs in this process and keeps
 * nothing across restarts (development and tests only).
 *
 * Give `jobs` schemas to type and validate job data; or give the types as a type argument.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { createQueue } from '@framework/queue';
 *
 * const emails = createQueue('emails', {
 *   concurrency: 5,
 *   retry: { attempts: 3, backoff: 'exponential', maxDelay: 60_000 },
 *   jobs: { sendWelcome: z.object({ userId: z.number() }) },
 * });
 * emails.process('sendWelcome', async (job) => ({ sent: true, userId: job.data.userId }));
 * await emails.add('sendWelcome', { userId: 123 }, { priority: 'high', delay: 5_000 });
 * ```
 */
export function createQueue<const S extends JobSchemas>(
  name: string,
  options: CreateQueueOptions<S> & { jobs: S },
): Queue<OutputsOf<S>, InputsOf<S>>;
export function createQueue<Jobs extends JobMap = JobMap>(
  name: string,
  options?: CreateQueueOptions<JobSchemas>,
): Queue<Jobs>;
export function createQueue(name: string, options: CreateQueueOptions<JobSchemas> = {}): Queue<JobMap> {
  if (typeof name !== 'string' || !/^[\w.-]+$/.test(name)) {
    throw new QueueError(
      'FW_QUEUE_CONFIG',
      `Queue name ${JSON.stringify(name)} is not valid; use letters, digits, '_', '-' or '.', e.g. 'emails'.`,
    );
  }
  checkQueueOptions(`createQueue(${JSON.stringify(name)})`, options, { ...QUEUE_KEYS, logger: true });
  const logger = options.logger ?? createLogger();
  const { store, source } = resolveStore(options);
  if (store === 'redis') {
    if (source === undefined) {
      throw new QueueError(
        'FW_QUEUE_CONFIG',
        `Queue "${name}" is set to store: 'redis' but has no connection: set REDIS_URL (e.g. redis://127.0.0.1:6379), pass redis, or use store: 'inline' for development.`,
      );
    }
    return new RedisQueue(name, options, source, logger);
  }
  if (store !== 'inline') {
    throw new QueueError('FW_QUEUE_CONFIG', `Unknown queue store ${JSON.stringify(store)}; use 'redis' or 'inline'.`);
  }
  return new InlineQueue(name, options, logger);
}
