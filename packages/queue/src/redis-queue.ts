import type { Logger } from '@framework/core';
import {
  type Job as BullJob,
  Queue as BullQueue,
  type JobsOptions,
  QueueEvents,
  UnrecoverableError,
  Worker,
  type WorkerOptions,
} from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { QueueError, QueueUnavailableError } from './errors.ts';
import { openConnections, type RedisSource } from './internal/connection.ts';
import { Emitter } from './internal/emitter.ts';
import { runHook } from './internal/hooks.ts';
import {
  backoffDelay,
  checkJobOptions,
  type ResolvedRetry,
  resolveRetry,
  toPriority,
  validateData,
} from './internal/options.ts';
import type {
  Job,
  JobMap,
  JobOptions,
  JobRecord,
  JobSchemas,
  JobState,
  Queue,
  QueueEvent,
  QueueEventType,
  QueueOptions,
  QueueStats,
} from './types.ts';

/** The backoff strategy name our jobs carry; the worker computes it (BullMQ's own has no maxDelay). */
const BACKOFF = 'framework';
/** What ioredis says when Redis is down, slow or gone. */
const CONNECTION_ERROR =
  /Connection is closed|Stream isn't writeable|ECONN|EPIPE|ETIMEDOUT|Command timed out|max retries|MaxRetriesPerRequest|LOADING/i;

/**
 * A queue on BullMQ: what `createQueue` returns when Redis is configured.
 *
 * @example
 * ```ts
 * const queue = new RedisQueue('emails', { redis: 'redis://127.0.0.1:6379' }, 'redis://127.0.0.1:6379');
 * ```
 */
export class RedisQueue<Out extends JobMap = JobMap, In extends JobMap = Out> implements Queue<Out, In> {
  readonly name: string;
  readonly store = 'redis' as const;
  private readonly options: QueueOptions<JobSchemas>;
  private readonly retrySettings: ResolvedRetry;
  private readonly prefix: string;
  private readonly producer: Redis | Cluster;
  private readonly makeWorkerConnection: () => Redis | Cluster;
  private readonly bull: BullQueue;
  private readonly handlers = new Map<string, (job: Job) => unknown>();
  private readonly logger: Pick<Logger, 'warn' | 'error'>;
  private readonly emitter = new Emitter();
  private worker: Worker | undefined;
  private events: Promise<QueueEvents> | undefined;
  private readonly extraConnections: (Redis | Cluster)[] = [];

  constructor(
    name: string,
    options: QueueOptions<JobSchemas>,
    source: RedisSource,
    logger: Pick<Logger, 'warn' | 'error'>,
  ) {
    this.name = name;
    this.options = options;
    this.retrySettings = resolveRetry(options.retry);
    this.logger = logger;
    const connections = openConnections(source);
    this.producer = connections.producer;
    this.makeWorkerConnection = connections.worker;
    this.prefix = options.prefix ?? 'queue';
    this.bull = new BullQueue(name, { connection: this.producer, prefix: this.prefix });
    this.bull.on('error', (error: Error) =>
      this.logger.warn({ err: error, queue: name }, `queue "${name}": ${error.message}`),
    );
  }

  async add<K extends keyof In & string>(name: K, data: In[K], options: JobOptions = {}): Promise<string> {
    const job = await this.prepare(name, data, options);
    try {
      if (options.repeat !== undefined) {
        const repeat = options.repeat;
        const scheduler =
          options.jobId ??
          `${name}:${'cron' in repeat ? `${repeat.cron}${repeat.tz ? `@${repeat.tz}` : ''}` : `every ${repeat.every}`}`;
        const first = await this.bull.upsertJobScheduler(
          scheduler,
          'cron' in repeat
            ? { pattern: repeat.cron, tz: repeat.tz, limit: repeat.limit }
            : { every: repeat.every, limit: repeat.limit },
          { name, data: job.data, opts: withoutId(job.opts) },
        );
        return String(first?.id ?? scheduler);
      }
      const added = await this.bull.add(name, job.data, job.opts);
      return String(added.id);
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  async addBulk(
    jobs: readonly { [K in keyof In & string]: { name: K; data: In[K]; options?: JobOptions } }[keyof In & string][],
  ): Promise<string[]> {
    const prepared = [];
    for (const job of jobs) {
      if (job.options?.repeat !== undefined) {
        throw new QueueError(
          'FW_QUEUE_INVALID_OPTION',
          'addBulk does not take repeat options; add repeating jobs one by one with add().',
        );
      }
      prepared.push({ name: job.name, ...(await this.prepare(job.name, job.data, job.options ?? {})) });
    }
    try {
      const added = await this.bull.addBulk(prepared);
      return added.map((job) => String(job.id));
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  process<K extends keyof Out & string>(name: K, handler: (job: Job<Out[K], K>) => unknown): this {
    if (typeof handler !== 'function') {
      throw new QueueError('FW_QUEUE_INVALID_OPTION', `process("${name}", handler) needs a handler function.`);
    }
    this.handlers.set(name, (job) => handler(job as Job<Out[K], K>));
    if (this.options.work !== false) this.work();
    return this;
  }

  work(): void {
    if (this.worker !== undefined) return;
    const connection = this.makeWorkerConnection();
    this.extraConnections.push(connection);
    const retry = this.retrySettings;
    const settings: WorkerOptions = {
      connection,
      prefix: this.prefix,
      concurrency: this.options.concurrency ?? 1,
      settings: { backoffStrategy: (attemptsMade: number) => backoffDelay(retry, attemptsMade) },
    };
    // BullMQ checks the options it is given: pass only those set (an explicit undefined fails).
    if (this.options.limiter !== undefined) settings.limiter = this.options.limiter;
    const { lockDuration, stalledInterval, maxStalledCount } = this.options.worker ?? {};
    if (lockDuration !== undefined) settings.lockDuration = lockDuration;
    if (stalledInterval !== undefined) settings.stalledInterval = stalledInterval;
    if (maxStalledCount !== undefined) settings.maxStalledCount = maxStalledCount;
    const worker = new Worker(this.name, (job) => this.run(job), settings);
    worker.on('error', (error: Error) =>
      this.logger.warn({ err: error, queue: this.name }, `queue "${this.name}" worker: ${error.message}`),
    );
    worker.on('completed', (job, result) =>
      runHook(this.logger, this.name, 'onComplete', () => this.options.hooks?.onComplete?.(toJob(job, 0), result)),
    );
    worker.on('failed', (job, error) => {
      if (job === undefined) return;
      const willRetry = job.attemptsMade < (job.opts.attempts ?? 1) && !(error instanceof UnrecoverableError);
      runHook(this.logger, this.name, 'onFailed', () =>
        this.options.hooks?.onFailed?.(toJob(job, 0), error, willRetry),
      );
    });
    this.worker = worker;
  }

  async stats(): Promise<QueueStats> {
    const [counts, paused] = await Promise.all([
      this.bull.getJobCounts('waiting', 'prioritized', 'active', 'completed', 'failed', 'delayed'),
      this.bull.isPaused(),
    ]);
    const waiting = (counts.waiting ?? 0) + (counts.prioritized ?? 0);
    return {
      waiting: paused ? 0 : waiting,
      active: counts.active ?? 0,
      completed: counts.completed ?? 0,
      failed: counts.failed ?? 0,
      delayed: counts.delayed ?? 0,
      paused: paused ? waiting : 0,
    };
  }

  pause(): Promise<void> {
    return this.bull.pause();
  }

  resume(): Promise<void> {
    return this.bull.resume();
  }

  async retry(jobId: string): Promise<void> {
    const job = await this.bull.getJob(jobId);
    if (job === undefined || (await job.getState()) !== 'failed') {
      throw new QueueError(
        'FW_QUEUE_NOT_FOUND',
        `Queue "${this.name}" has no failed job ${jobId} to retry; list them with queue.failed().`,
      );
    }
    await job.retry('failed');
  }

  async remove(jobId: string): Promise<void> {
    let removed: number;
    try {
      removed = await this.bull.remove(jobId);
    } catch {
      // BullMQ refuses some jobs outright (the next run of a repeat): same answer as a running one.
      removed = 0;
    }
    if (removed === 0) {
      throw new QueueError(
        'FW_QUEUE_NOT_FOUND',
        `Queue "${this.name}" has no job ${jobId} that can be removed (it does not exist, or it is running: wait for it to finish).`,
      );
    }
  }

  async clean(grace: number, state: 'completed' | 'failed' = 'completed', limit = 1_000): Promise<number> {
    return (await this.bull.clean(grace, limit, state)).length;
  }

  async failed(start = 0, end = 49): Promise<JobRecord[]> {
    const jobs = await this.bull.getFailed(start, end);
    return jobs.map((job) => toRecord(job, 'failed'));
  }

  async getJob(jobId: string): Promise<JobRecord | undefined> {
    const job = await this.bull.getJob(jobId);
    if (job === undefined) return undefined;
    return toRecord(job, await this.bull.getJobState(jobId));
  }

  on<T extends QueueEventType>(type: T, listener: (event: Extract<QueueEvent, { type: T }>) => void): () => void {
    this.listen();
    return this.emitter.on(type, listener);
  }

  /** Resolves once the lifecycle event stream is connected (events before that are not seen). */
  async eventsReady(): Promise<void> {
    this.listen();
    await (await this.events)?.waitUntilReady();
  }

  async flush(): Promise<void> {
    await this.bull.obliterate({ force: true });
  }

  async close(timeout = 10_000): Promise<void> {
    const worker = this.worker;
    if (worker !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeout);
      });
      const outcome = await Promise.race([worker.close().then(() => 'closed' as const), timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        this.logger.warn(
          { queue: this.name },
          `queue "${this.name}": jobs still running after ${timeout} ms; closing anyway (they will be picked up again as stalled)`,
        );
        await worker.close(true);
      }
    }
    await (await this.events)?.close();
    await this.bull.close();
    await Promise.all(
      [this.producer, ...this.extraConnections].map(async (client) => {
        try {
          await client.quit();
        } catch {
          client.disconnect();
        }
      }),
    );
  }

  /** Redis failures become a 503 (the job was not queued); anything else is a bug and stays as it is. */
  private unavailable(error: unknown): unknown {
    const down = this.producer.status !== 'ready' || (error instanceof Error && CONNECTION_ERROR.test(error.message));
    return down ? new QueueUnavailableError(this.name, error) : error;
  }

  private async prepare(
    name: string,
    data: unknown,
    options: JobOptions,
  ): Promise<{ data: unknown; opts: JobsOptions }> {
    checkJobOptions(options);
    // Checked now, stored as given: the worker parses it again (a transforming schema's output
    // would not pass the schema a second time).
    await validateData(this.options.jobs, this.name, name, data);
    const opts: JobsOptions = {
      attempts: options.attempts ?? this.retrySettings.attempts,
      backoff: { type: BACKOFF },
      removeOnComplete: { count: this.options.keepCompleted ?? 1_000 },
      removeOnFail: false,
    };
    const priority = toPriority(options.priority);
    if (priority !== undefined) opts.priority = priority;
    if (options.delay) opts.delay = options.delay;
    if (options.jobId !== undefined) opts.jobId = options.jobId;
    return { data, opts };
  }

  private async run(job: BullJob): Promise<unknown> {
    const handler = this.handlers.get(job.name);
    if (handler === undefined) {
      throw new UnrecoverableError(
        `Queue "${this.name}" has no handler for job "${job.name}" in this worker; register one with queue.process(${JSON.stringify(job.name)}, handler) before starting workers.`,
      );
    }
    let data: unknown;
    try {
      data = await validateData(this.options.jobs, this.name, job.name, job.data);
    } catch (error) {
      // Data that fails its schema will fail it on every retry: fail the job for good.
      throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
    }
    return handler({ ...toJob(job), data });
  }

  private listen(): void {
    if (this.events !== undefined) return;
    const connection = this.makeWorkerConnection();
    this.extraConnections.push(connection);
    // Read the stream from its current end as of now, not from whenever QueueEvents' first XREAD
    // reaches Redis ('$'): events of jobs added right after `on()` are not missed.
    const streamKey = `${this.prefix}:${this.name}:events`;
    this.events = this.bull
      .waitUntilReady()
      .then(() => this.producer.xrevrange(streamKey, '+', '-', 'COUNT', 1))
      .then(
        (last) => this.openEvents(connection, last[0]?.[0] ?? '0-0'),
        (error: unknown) => {
          this.logger.warn(
            { err: error, queue: this.name },
            `queue "${this.name}": could not read the event stream; listening from now on`,
          );
          return this.openEvents(connection, '$');
        },
      );
  }

  private openEvents(connection: Redis | Cluster, lastEventId: string): QueueEvents {
    const events = new QueueEvents(this.name, { connection, prefix: this.prefix, lastEventId });
    events.on('error', (error: Error) =>
      this.logger.warn({ err: error, queue: this.name }, `queue "${this.name}" events: ${error.message}`),
    );
    events.on('added', ({ jobId, name }) => this.emitter.emit({ type: 'added', jobId, name }));
    events.on('active', ({ jobId }) => this.emitter.emit({ type: 'active', jobId }));
    events.on('progress', ({ jobId, data }) => this.emitter.emit({ type: 'progress', jobId, progress: data }));
    events.on('completed', ({ jobId, returnvalue }) =>
      this.emitter.emit({ type: 'completed', jobId, result: returnvalue }),
    );
    events.on('failed', ({ jobId, failedReason }) => this.emitter.emit({ type: 'failed', jobId, error: failedReason }));
    return events;
  }
}

/** Our view of a BullMQ job; `counted` is 1 while it runs, 0 once BullMQ has counted the run (in hooks). */
function toJob(job: BullJob, counted = 1): Job {
  return {
    id: String(job.id),
    name: job.name,
    data: job.data,
    attempt: job.attemptsMade + counted,
    timestamp: job.timestamp,
    progress: (value) => job.updateProgress(value),
  };
}

function toRecord(job: BullJob, state: string): JobRecord {
  const known: readonly JobState[] = ['waiting', 'active', 'completed', 'failed', 'delayed', 'paused'];
  const normalized: JobState =
    state === 'prioritized' || state === 'waiting-children'
      ? 'waiting'
      : known.includes(state as JobState)
        ? (state as JobState)
        : 'unknown';
  return {
    id: String(job.id),
    name: job.name,
    data: job.data,
    state: normalized,
    attemptsMade: job.attemptsMade,
    error: job.failedReason || undefined,
    result: job.returnvalue ?? undefined,
    timestamp: job.timestamp,
    finishedAt: job.finishedOn,
  };
}

function withoutId(opts: JobsOptions): Omit<JobsOptions, 'jobId'> {
  const { jobId: _jobId, ...rest } = opts;
  return rest;
}
