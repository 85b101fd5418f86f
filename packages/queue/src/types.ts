import type { Duration, Logger, StandardSchemaV1 } from '@framework/core';
import type { Cluster, Redis, RedisOptions } from 'ioredis';

/**
 * Where a queue logs: warnings (an outage, once), errors (a job failed for good) and, when the
 * logger has it, `info` (the connection is back). Any pino-shaped logger fits, `app.logger` too.
 *
 * @example
 * ```ts
 * const logger: QueueLogger = { warn: console.warn, error: console.error, info: console.info };
 * ```
 */
export type QueueLogger = Pick<Logger, 'warn' | 'error'> & { info?: Logger['info'] };

/** Job name → job data type: what a queue's jobs carry. */
export type JobMap = Record<string, unknown>;

/**
 * `'high'`, `'normal'`, `'low'` or a number from 1 (first) to 2 097 151 (last), BullMQ's order.
 * Jobs added without a priority go before every prioritized job (BullMQ's fast path): in a queue
 * where some jobs are `'high'`, give the others `'normal'` so the high ones jump ahead of them.
 *
 * @example
 * ```ts
 * await queue.add('report', data, { priority: 'high' });
 * ```
 */
export type Priority = 'high' | 'normal' | 'low' | number;

/**
 * How a failed job is retried.
 *
 * @example
 * ```ts
 * createQueue('emails', { retry: { attempts: 5, backoff: 'exponential', delay: 1_000, maxDelay: 60_000 } });
 * ```
 */
export interface RetryOptions {
  /** Runs in all, the first included. Default 3. */
  attempts?: number;
  /** `exponential` (default): `delay`, 2×, 4×... up to `maxDelay`; `fixed`: always `delay`. */
  backoff?: 'fixed' | 'exponential';
  /** Milliseconds (a bare number) or a string with a unit (`'1s'`) before the first retry. Default 1 s. */
  delay?: Duration;
  /** Milliseconds (a bare number) or a string with a unit (`'1h'`): the longest wait between two attempts. Default one hour. */
  maxDelay?: Duration;
}

/**
 * When a job repeats: a cron expression (5 fields, or 6 with seconds first) or `every`:
 * milliseconds as a bare number, or a string with a unit (`'30s'`, `'1h'`).
 *
 * @example
 * ```ts
 * await queue.add('digest', {}, { repeat: { cron: '0 9 * * *', tz: 'Europe/Paris' } });
 * await queue.add('heartbeat', {}, { repeat: { every: 30_000 } });
 * ```
 */
export type RepeatOptions = { cron: string; tz?: string; limit?: number } | { every: Duration; limit?: number };

/**
 * Options of one job.
 *
 * @example
 * ```ts
 * await queue.add('sendWelcome', { userId: 123 }, { priority: 'high', delay: 5_000, attempts: 3, jobId: 'welcome:123' });
 * ```
 */
export interface JobOptions {
  priority?: Priority;
  /** Milliseconds (a bare number) or a string with a unit (`'5m'`) before the job may run. */
  delay?: Duration;
  repeat?: RepeatOptions;
  /** Overrides the queue's `retry.attempts` for this job. */
  attempts?: number;
  /**
   * Makes adding idempotent: while a job with this id exists (waiting, active, delayed, completed
   * or failed and not yet removed), adding another with the same id does nothing.
   */
  jobId?: string;
}

/**
 * A job as its handler sees it.
 *
 * @example
 * ```ts
 * queue.process('resize', async (job) => {
 *   await job.progress(50);
 *   return { width: job.data.width };
 * });
 * ```
 */
export interface Job<Data = unknown, Name extends string = string> {
  readonly id: string;
  readonly name: Name;
  readonly data: Data;
  /** 1 on the first run, 2 on the first retry... */
  readonly attempt: number;
  /** When the job was added (epoch ms). */
  readonly timestamp: number;
  /** Reports progress (a number, e.g. a percentage, or an object): the `progress` event. */
  progress(value: number | object): Promise<void>;
}

/** Where a job is. @example `'failed'` */
export type JobState = 'waiting' | 'active' | 'completed' | 'failed' | 'delayed' | 'paused' | 'unknown';

/**
 * A stored job, for inspection (the failed-jobs list, `getJob`).
 *
 * @example
 * ```ts
 * for (const job of await queue.failed()) console.log(job.id, job.name, job.error);
 * ```
 */
export interface JobRecord<Data = unknown> {
  readonly id: string;
  readonly name: string;
  readonly data: Data;
  readonly state: JobState;
  /** Runs that ended (completed or failed). */
  readonly attemptsMade: number;
  /** The last error's message, for a failed job. */
  readonly error?: string;
  /** What the handler returned, for a completed job. */
  readonly result?: unknown;
  readonly timestamp: number;
  readonly finishedAt?: number;
}

/**
 * How many jobs are in each state.
 *
 * @example
 * ```ts
 * const { waiting, active, failed } = await queue.stats();
 * ```
 */
export interface QueueStats {
  /** Ready to run, prioritized ones included. */
  readonly waiting: number;
  readonly active: number;
  readonly completed: number;
  /** Failed for good (out of attempts): the dead-letter set. */
  readonly failed: number;
  readonly delayed: number;
  /** Waiting while the queue is paused. */
  readonly paused: number;
}

/**
 * One step of a job's life, as the lifecycle event stream reports it (the admin dashboard reads it).
 *
 * @example
 * ```ts
 * queue.on('failed', (event) => console.warn(event.jobId, event.error));
 * ```
 */
export type QueueEvent =
  | { readonly type: 'added'; readonly jobId: string; readonly name: string }
  | { readonly type: 'active'; readonly jobId: string }
  | { readonly type: 'progress'; readonly jobId: string; readonly progress: unknown }
  | { readonly type: 'completed'; readonly jobId: string; readonly result: unknown }
  | { readonly type: 'failed'; readonly jobId: string; readonly error: string };

/** The names of `QueueEvent`s. @example `'completed'` */
export type QueueEventType = QueueEvent['type'];

/**
 * Hooks run in the process that ran the job.
 *
 * @example
 * ```ts
 * createQueue('emails', { hooks: { onFailed: (job, error) => console.error(job.id, error.message) } });
 * ```
 */
export interface QueueHooks {
  onComplete?: (job: Job, result: unknown) => unknown;
  /** Called on every failed run, with `willRetry` false on the last one. */
  onFailed?: (job: Job, error: Error, willRetry: boolean) => unknown;
}

/** Job name → a Standard Schema (zod...) that validates its data on `add` and before the handler runs. */
export type JobSchemas = Record<string, StandardSchemaV1>;

/**
 * Options of `createQueue`: the driver and its connection, concurrency, retries, rate limit,
 * job schemas and lifecycle hooks.
 *
 * @example
 * ```ts
 * createQueue('emails', { concurrency: 5, retry: { attempts: 3, backoff: 'exponential', maxDelay: 60_000 }, limiter: { max: 100, duration: 60_000 } });
 * ```
 */
export interface QueueOptions<S extends JobSchemas = JobSchemas> {
  /** Jobs one worker runs at once. Default 1. */
  concurrency?: number;
  retry?: RetryOptions;
  /** At most `max` jobs per `duration` (milliseconds, or a string with a unit: `'1m'`), across all workers of the queue. */
  limiter?: { max: number; duration: Duration };
  /** `'redis'` (BullMQ) when a connection is configured, else `'inline'` (in process, not durable). */
  store?: 'redis' | 'inline';
  hooks?: QueueHooks;
  /** Schemas per job name: data is validated on `add` (a 400-style error) and typed. */
  jobs?: S;
  /** The Redis connection: a URL, ioredis options, or a client (`app.redis`). Default `REDIS_URL`. */
  redis?: string | RedisOptions | Redis | Cluster;
  /** Start workers when a handler is registered with `process`. Default true; `false` for a producer-only process. */
  work?: boolean;
  /** Completed jobs kept for inspection (the newest). Default 1 000. Failed jobs are all kept. */
  keepCompleted?: number;
  /**
   * Advanced worker settings passed to BullMQ (stall detection): `lockDuration` and
   * `stalledInterval` are milliseconds (a bare number) or strings with a unit (`'30s'`).
   */
  worker?: { lockDuration?: Duration; stalledInterval?: Duration; maxStalledCount?: number };
  /** Key prefix in Redis. Default `'queue'`. */
  prefix?: string;
  /** Environment to read `REDIS_URL` from. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

/**
 * A queue of background jobs: BullMQ on Redis, or the inline driver in process. `Out` types the
 * data handlers receive, `In` what `add` takes (they differ only when a job schema transforms).
 *
 * @example
 * ```ts
 * const emails = createQueue('emails', { jobs: { sendWelcome: z.object({ userId: z.number() }) } });
 * await emails.add('sendWelcome', { userId: 123 });
 * emails.process('sendWelcome', async (job) => ({ sent: job.data.userId }));
 * ```
 */
export interface Queue<Out extends JobMap = JobMap, In extends JobMap = Out> {
  readonly name: string;
  /** `'redis'` or `'inline'`. */
  readonly store: 'redis' | 'inline';
  /** Adds a job; resolves to its id (the existing job's id when `jobId` was taken). */
  add<K extends keyof In & string>(name: K, data: In[K], options?: JobOptions): Promise<string>;
  /** Adds several jobs in one round trip. */
  addBulk(
    jobs: readonly { [K in keyof In & string]: { name: K; data: In[K]; options?: JobOptions } }[keyof In & string][],
  ): Promise<string[]>;
  /** Registers the handler of a job name; its return value is stored as the job's result. Starts the workers unless `work: false`. */
  process<K extends keyof Out & string>(name: K, handler: (job: Job<Out[K], K>) => unknown): this;
  /** Starts the workers (`framework queue:work` calls it; `process` does unless `work: false`). */
  work(): void;
  stats(): Promise<QueueStats>;
  /** Stops handing out jobs (active ones finish); added jobs wait. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Runs a failed job again. */
  retry(jobId: string): Promise<void>;
  /** Deletes a job that is not running. */
  remove(jobId: string): Promise<void>;
  /** Deletes completed (or failed) jobs older than `grace` (milliseconds, or a string with a unit: `'1d'`); resolves to how many. */
  clean(grace: Duration, state?: 'completed' | 'failed', limit?: number): Promise<number>;
  /** The dead-letter view: failed jobs, newest first. */
  failed(start?: number, end?: number): Promise<JobRecord[]>;
  getJob(jobId: string): Promise<JobRecord | undefined>;
  /** Listens to the lifecycle event stream (every process's jobs on Redis); returns the unsubscribe function. */
  on<T extends QueueEventType>(type: T, listener: (event: Extract<QueueEvent, { type: T }>) => void): () => void;
  /** Deletes every job of the queue (all states). For tests and `framework queue:flush`. */
  flush(): Promise<void>;
  /**
   * Stops the workers after their active jobs finished (or `timeout` passed: milliseconds, or a
   * string with a unit, default 10 s; those jobs are picked up again as stalled), then closes connections.
   */
  close(timeout?: Duration): Promise<void>;
}
