import { type Breaker, createBreaker, type Duration } from '@framework/core';
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
import { isConnectionError, OutageLog, openConnections, type RedisSource } from './internal/connection.ts';
import { Emitter } from './internal/emitter.ts';
import { logFailedJob, runHook } from './internal/hooks.ts';
import {
  backoffDelay,
  checkJobOptions,
  checkMs,
  type ResolvedJobOptions,
  type ResolvedRetry,
  type ResolvedTimes,
  resolveRetry,
  resolveTimes,
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
  QueueLogger,
  QueueOptions,
  QueueStats,
} from './types.ts';

/** The backoff strategy name our jobs carry; the worker computes it (BullMQ's own has no maxDelay). */
const BACKOFF = 'framework';
/** How long a call made before the first connection waits for it (Redis starting with the app). */
const FIRST_CONNECT_WAIT = 2_000;
/** How long closing waits for a QUIT or a BullMQ close once the jobs are done: a courtesy, not a need. */
const CLOSE_GRACE = 1_000;

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
  private readonly logger: QueueLogger;
  private readonly emitter = new Emitter();
  private readonly outage: OutageLog;
  private readonly breaker: Breaker;
  /** Whether the producer's first connection attempt is over (connected once, or failed). */
  private firstAttemptOver = false;
  /** Handlers running in this process: what closing waits for. */
  private running = 0;
  /** Jobs whose handler returned and that BullMQ is still storing as completed or failed. */
  private readonly finishing = new Set<string>();
  private workerConnection: Redis | Cluster | undefined;
  private closing: Promise<void> | undefined;
  private worker: Worker | undefined;
  private events: Promise<QueueEvents> | undefined;
  private readonly extraConnections: (Redis | Cluster)[] = [];
  private readonly times: ResolvedTimes;

  constructor(name: string, options: QueueOptions<JobSchemas>, source: RedisSource, logger: QueueLogger) {
    this.name = name;
    this.options = options;
    this.retrySettings = resolveRetry(options.retry);
    this.times = resolveTimes(options);
    this.logger = logger;
    const connections = openConnections(source);
    this.producer = connections.producer;
    this.makeWorkerConnection = connections.worker;
    this.prefix = options.prefix ?? 'queue';
    this.outage = new OutageLog(name, logger);
    this.outage.watch(this.producer);
    const attemptOver = () => {
      this.firstAttemptOver = true;
    };
    this.producer.once('ready', attemptOver);
    this.producer.once('error', attemptOver);
    this.producer.once('close', attemptOver);
    // A Redis that hangs (SIGSTOP, a saturated server) keeps its connections open: nothing reports
    // an outage but each command's timeout. After a few of those, add() fails at once while a
    // PING on the producer's connection checks, in the background, for the server's return.
    this.breaker = createBreaker({
      name: `Redis (queue "${name}")`,
      failures: 3,
      coolDown: 2_000,
      probeTimeout: 1_000,
      probe: () => this.producer.ping(),
      logger: {
        warn: (fields, message) => logger.warn({ ...fields, queue: name }, message),
        info: (fields, message) => (logger.info ?? logger.warn).call(logger, { ...fields, queue: name }, message),
      },
      hint: 'the job was not queued; retry shortly',
    });
    this.bull = this.openBull();
  }

  async add<K extends keyof In & string>(name: K, data: In[K], options: JobOptions = {}): Promise<string> {
    const job = await this.prepare(name, data, options);
    const repeat = job.options.repeat;
    if (repeat !== undefined) {
      const scheduler =
        options.jobId ??
        `${name}:${'cron' in repeat ? `${repeat.cron}${repeat.tz ? `@${repeat.tz}` : ''}` : `every ${repeat.every}`}`;
      const first = await this.call((bull) =>
        bull.upsertJobScheduler(
          scheduler,
          'cron' in repeat
            ? { pattern: repeat.cron, tz: repeat.tz, limit: repeat.limit }
            : { every: repeat.every, limit: repeat.limit },
          { name, data: job.data, opts: withoutId(job.opts) },
        ),
      );
      return String(first?.id ?? scheduler);
    }
    const added = await this.call((bull) => bull.add(name, job.data, job.opts));
    return String(added.id);
  }

  async addBulk(
    jobs: readonly { [K in keyof In & string]: { name: K; data: In[K]; options?: JobOptions } }[keyof In & string][],
  ): Promise<string[]> {
    const prepared: { name: string; data: unknown; opts: JobsOptions }[] = [];
    for (const job of jobs) {
      if (job.options?.repeat !== undefined) {
        throw new QueueError(
          'FW_QUEUE_INVALID_OPTION',
          'addBulk does not take repeat options; add repeating jobs one by one with add().',
        );
      }
      const { data, opts } = await this.prepare(job.name, job.data, job.options ?? {});
      prepared.push({ name: job.name, data, opts });
    }
    const added = await this.call((bull) => bull.addBulk(prepared));
    return added.map((job) => String(job.id));
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
    if (this.worker !== undefined || this.closing !== undefined) return;
    const connection = this.makeWorkerConnection();
    this.workerConnection = connection;
    this.extraConnections.push(connection);
    this.outage.watch(connection);
    const retry = this.retrySettings;
    const settings: WorkerOptions = {
      connection,
      prefix: this.prefix,
      concurrency: this.options.concurrency ?? 1,
      settings: { backoffStrategy: (attemptsMade: number) => backoffDelay(retry, attemptsMade) },
    };
    // BullMQ checks the options it is given: pass only those set (an explicit undefined fails).
    if (this.times.limiter !== undefined) settings.limiter = this.times.limiter;
    const { lockDuration, stalledInterval, maxStalledCount } = this.times.worker;
    if (lockDuration !== undefined) settings.lockDuration = lockDuration;
    if (stalledInterval !== undefined) settings.stalledInterval = stalledInterval;
    if (maxStalledCount !== undefined) settings.maxStalledCount = maxStalledCount;
    const worker = new Worker(this.name, (job) => this.run(job), settings);
    worker.on('error', (error: Error) => this.relay(error, 'worker'));
    worker.on('completed', (job, result) => {
      this.finishing.delete(String(job.id));
      runHook(this.logger, this.name, 'onComplete', () => this.options.hooks?.onComplete?.(toJob(job, 0), result));
    });
    worker.on('failed', (job, error) => {
      if (job === undefined) return;
      this.finishing.delete(String(job.id));
      const willRetry = job.attemptsMade < (job.opts.attempts ?? 1) && !(error instanceof UnrecoverableError);
      if (!willRetry) {
        logFailedJob(this.logger, this.name, { id: String(job.id), name: job.name, attempts: job.attemptsMade }, error);
      }
      runHook(this.logger, this.name, 'onFailed', () =>
        this.options.hooks?.onFailed?.(toJob(job, 0), error, willRetry),
      );
    });
    this.worker = worker;
  }

  async stats(): Promise<QueueStats> {
    const [counts, paused] = await this.call((bull) =>
      Promise.all([
        bull.getJobCounts('waiting', 'prioritized', 'active', 'completed', 'failed', 'delayed'),
        bull.isPaused(),
      ]),
    );
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
    return this.call((bull) => bull.pause());
  }

  resume(): Promise<void> {
    return this.call((bull) => bull.resume());
  }

  async retry(jobId: string): Promise<void> {
    const job = await this.call((bull) => bull.getJob(jobId));
    if (job === undefined || (await this.call(() => job.getState())) !== 'failed') {
      throw new QueueError(
        'FW_QUEUE_NOT_FOUND',
        `Queue "${this.name}" has no failed job ${jobId} to retry; list them with queue.failed().`,
      );
    }
    await this.call(() => job.retry('failed'));
  }

  async remove(jobId: string): Promise<void> {
    let removed: number;
    try {
      removed = await this.call((bull) => bull.remove(jobId));
    } catch (error) {
      if (error instanceof QueueUnavailableError) throw error;
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

  async clean(grace: Duration, state: 'completed' | 'failed' = 'completed', limit = 1_000): Promise<number> {
    const ms = checkMs(grace, 'grace');
    return (await this.call((bull) => bull.clean(ms, limit, state))).length;
  }

  async failed(start = 0, end = 49): Promise<JobRecord[]> {
    const jobs = await this.call((bull) => bull.getFailed(start, end));
    return jobs.map((job) => toRecord(job, 'failed'));
  }

  async getJob(jobId: string): Promise<JobRecord | undefined> {
    const job = await this.call((bull) => bull.getJob(jobId));
    if (job === undefined) return undefined;
    return toRecord(job, await this.call((bull) => bull.getJobState(jobId)));
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
    await this.call((bull) => bull.obliterate({ force: true }));
  }

  /**
   * Stops the workers after their active jobs (up to `timeout` ms), then closes the connections.
   * Resolves within `timeout` ms plus a second whatever Redis does (down, hung, back): what could
   * not finish in time is disconnected.
   */
  close(timeout: Duration = '10s'): Promise<void> {
    this.closing ??= this.shutDown(checkMs(timeout, 'close() timeout'));
    return this.closing;
  }

  private async shutDown(timeout: number): Promise<void> {
    const deadline = Date.now() + timeout;
    const left = () => Math.max(0, deadline - Date.now());
    this.breaker.close();
    // Its own disconnects are not an outage.
    this.outage.close();
    const worker = this.worker;
    if (worker !== undefined) {
      // A job whose handler returned is being stored as completed; worth waiting for while Redis
      // is there to take it.
      const storing = this.finishing.size > 0 && this.workerConnection?.status === 'ready';
      if (this.running === 0 && !storing) {
        // Nothing to wait for. A graceful close would wait for the fetch in flight, which never
        // ends while Redis is down, and keep BullMQ's timers (stall checks, lock renewal) alive.
        await within(worker.close(true), Math.min(left(), CLOSE_GRACE));
      } else if (!(await within(worker.close(), left()))) {
        this.logger.warn(
          { queue: this.name, running: this.running },
          `queue "${this.name}": ${this.running} job(s) still running after ${timeout} ms; closing anyway (they will be picked up again as stalled)`,
        );
      }
    }
    const events = this.events;
    if (events !== undefined) {
      void within(
        events.then((stream) => stream.close()),
        CLOSE_GRACE,
      );
    }
    await within(this.bull.close(), Math.min(left(), CLOSE_GRACE));
    await Promise.all(
      [this.producer, ...this.extraConnections].map(async (client) => {
        // QUIT only where Redis is there to answer it, and not for long; then stop reconnecting.
        if (client.status === 'ready') await within(client.quit(), Math.min(left(), CLOSE_GRACE));
        client.disconnect();
      }),
    );
  }

  /**
   * Runs a producer call: at once a 503 while the connection is down, the breaker is open or the
   * queue is closed; Redis failures become a 503 (the job was not queued) and count towards the
   * breaker; anything else is a bug and stays as it is.
   */
  private async call<T>(command: (bull: BullQueue) => Promise<T>): Promise<T> {
    if (this.closing !== undefined) throw new QueueUnavailableError(this.name, new Error('The queue was closed.'));
    if (this.producer.status !== 'ready' && !this.firstAttemptOver) {
      // Right after start-up: the first connection is on its way; wait for it, briefly.
      await whenReady(this.producer, FIRST_CONNECT_WAIT);
    }
    if (this.producer.status !== 'ready') {
      throw new QueueUnavailableError(
        this.name,
        new Error(`Redis is not connected (${this.producer.status}); reconnecting`),
        2,
      );
    }
    if (!this.breaker.allow()) {
      throw new QueueUnavailableError(this.name, this.breaker.unavailable(), this.breaker.retryAfter());
    }
    try {
      const value = await command(this.bull);
      this.breaker.succeeded();
      return value;
    } catch (error) {
      if (!isConnectionError(error) && this.producer.status === 'ready') {
        this.breaker.succeeded();
        throw error;
      }
      this.breaker.failed(error);
      throw new QueueUnavailableError(this.name, error, this.breaker.isOpen ? this.breaker.retryAfter() : 1);
    }
  }

  private openBull(): BullQueue {
    const bull = new BullQueue(this.name, { connection: this.producer, prefix: this.prefix });
    bull.on('error', (error: Error) => this.relay(error, 'producer'));
    return bull;
  }

  /**
   * BullMQ's 'error' events (relayed from every reconnection attempt): connection errors are part
   * of an outage, logged once by `OutageLog`; others are logged as they come.
   */
  private relay(error: Error, from: 'producer' | 'worker' | 'events'): void {
    if (this.closing !== undefined) return;
    if (isConnectionError(error)) {
      this.outage.lost(error);
      return;
    }
    const label = from === 'producer' ? '' : ` ${from}`;
    this.logger.warn({ err: error, queue: this.name }, `queue "${this.name}"${label}: ${error.message}`);
  }

  private async prepare(
    name: string,
    data: unknown,
    given: JobOptions,
  ): Promise<{ data: unknown; opts: JobsOptions; options: ResolvedJobOptions }> {
    const options = checkJobOptions(given, `queue "${this.name}" add(${JSON.stringify(name)})`);
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
    return { data, opts, options };
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
    this.running++;
    try {
      return await handler({ ...toJob(job), data });
    } finally {
      this.running--;
      this.finishing.add(String(job.id));
    }
  }

  private listen(): void {
    if (this.events !== undefined) return;
    const connection = this.makeWorkerConnection();
    this.extraConnections.push(connection);
    this.outage.watch(connection);
    // Read the stream from its current end as of now, not from whenever QueueEvents' first XREAD
    // reaches Redis ('$'): events of jobs added right after `on()` are not missed.
    const streamKey = `${this.prefix}:${this.name}:events`;
    this.events = this.call(() => this.producer.xrevrange(streamKey, '+', '-', 'COUNT', 1)).then(
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
    events.on('error', (error: Error) => this.relay(error, 'events'));
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

/** Resolves `true` when `promise` settles within `ms` (its rejection included), else `false`; never rejects. */
function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    timer.unref();
    promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}

/** Resolves once the client is ready, or after `ms`, whichever comes first. */
function whenReady(client: Redis | Cluster, ms: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      client.off('error', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    client.on('ready', done);
    client.on('error', done);
  });
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
