import type { Duration, Logger } from '@framework/core';
import { UnrecoverableError } from 'bullmq';
import { CronExpressionParser } from 'cron-parser';
import { QueueError, QueueUnavailableError } from './errors.ts';
import { Emitter } from './internal/emitter.ts';
import { logFailedJob, runHook } from './internal/hooks.ts';
import {
  backoffDelay,
  checkJobOptions,
  checkMs,
  type ResolvedJobOptions,
  type ResolvedRepeat,
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
  Queue,
  QueueEvent,
  QueueEventType,
  QueueOptions,
  QueueStats,
} from './types.ts';

/** Longest delay `setTimeout` takes; a longer one fires at once, so long waits are done in steps. */
const MAX_TIMER = 2 ** 31 - 1;

type Handler = (job: Job<unknown, string>) => unknown;

/** One job: kept as Redis keeps it (data and result as JSON), so a job behaves the same on both drivers. */
interface Entry {
  readonly id: string;
  readonly name: string;
  readonly json: string;
  readonly timestamp: number;
  readonly priority: number | undefined;
  readonly attempts: number;
  /** The id of the repeat this job is an iteration of. */
  readonly scheduler: string | undefined;
  state: 'waiting' | 'delayed' | 'active' | 'completed' | 'failed';
  /** When a delayed job becomes ready. */
  runAt: number;
  /** Place in the ready order (BullMQ's: the order jobs became ready). */
  order: number;
  attemptsMade: number;
  error?: string | undefined;
  result?: string | undefined;
  finishedAt?: number | undefined;
}

/** A repeating job (BullMQ's job scheduler): its next iteration is added when the current one starts. */
interface Scheduler {
  readonly id: string;
  readonly name: string;
  readonly json: string;
  readonly repeat: ResolvedRepeat;
  readonly priority: number | undefined;
  readonly attempts: number;
  count: number;
  millis: number;
  next: Entry | undefined;
}

/**
 * The in-process queue: what `createQueue` returns without Redis. Same API and behaviour as the
 * Redis driver (ids, priorities, delays, retries with backoff, repeats, limiter, stats, events,
 * hooks), with job data and results stored as JSON as Redis stores them; but it keeps nothing
 * across restarts and each process has its own jobs. For development and tests only: it is not
 * durable.
 *
 * While workers run and jobs are delayed (a `delay`, a retry's backoff, a repeat's next run), a
 * timer keeps the process alive so that no job is lost silently; a process that only adds jobs
 * (no worker) holds no timer. `close()` stops everything, repeats included.
 *
 * @example
 * ```ts
 * const queue = new InlineQueue('emails', { concurrency: 2 }, console);
 * queue.process('sendWelcome', async (job) => ({ sent: job.data }));
 * await queue.add('sendWelcome', { userId: 123 });
 * await queue.close();
 * ```
 */
export class InlineQueue<Out extends JobMap = JobMap, In extends JobMap = Out> implements Queue<Out, In> {
  readonly name: string;
  readonly store = 'inline' as const;
  private readonly options: QueueOptions<JobSchemas>;
  private readonly retryOptions: ResolvedRetry;
  private readonly concurrency: number;
  private readonly keepCompleted: number;
  private readonly logger: Pick<Logger, 'warn' | 'error'>;
  private readonly emitter = new Emitter();
  private readonly handlers = new Map<string, Handler>();
  private readonly jobs = new Map<string, Entry>();
  private readonly schedulers = new Map<string, Scheduler>();
  /** Ready, unprioritized: first out. */
  private waiting: Entry[] = [];
  /** Ready, by (priority, order). */
  private prioritized: Entry[] = [];
  /** By (runAt, when delayed). */
  private delayed: Entry[] = [];
  private readonly active = new Set<Entry>();
  /** Oldest first. */
  private completed: Entry[] = [];
  private failedJobs: Entry[] = [];
  /** Handlers running (their records may be gone after `flush`): what `concurrency` and `close` count. */
  private readonly running = new Set<Promise<void>>();
  private counter = 0;
  private order = 0;
  private working = false;
  private paused = false;
  private closing: Promise<void> | undefined;
  private windowStart = Number.NEGATIVE_INFINITY;
  private windowCount = 0;
  private immediate: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly times: ResolvedTimes;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(name: string, options: QueueOptions<JobSchemas>, logger: Pick<Logger, 'warn' | 'error'>) {
    this.name = name;
    this.options = options;
    this.logger = logger;
    this.retryOptions = resolveRetry(options.retry);
    this.concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new QueueError(
        'FW_QUEUE_INVALID_OPTION',
        `concurrency is the number of jobs run at once (an integer >= 1), got ${String(options.concurrency)}.`,
      );
    }
    this.keepCompleted = options.keepCompleted ?? 1_000;
    if (!Number.isInteger(this.keepCompleted) || this.keepCompleted < 0) {
      throw new QueueError(
        'FW_QUEUE_INVALID_OPTION',
        `keepCompleted is a number of jobs (an integer >= 0), got ${String(options.keepCompleted)}.`,
      );
    }
    this.times = resolveTimes(options);
    const limiter = this.times.limiter;
    if (limiter !== undefined) {
      if (!Number.isInteger(limiter.max) || limiter.max < 1) {
        throw new QueueError(
          'FW_QUEUE_INVALID_OPTION',
          `limiter.max is a number of jobs (an integer >= 1), got ${String(limiter.max)}.`,
        );
      }
      if (limiter.duration === 0) {
        throw new QueueError(
          'FW_QUEUE_INVALID_OPTION',
          "limiter.duration must be more than 0: milliseconds as a number, or a string such as '1m'.",
        );
      }
    }
  }

  async add<K extends keyof In & string>(name: K, data: In[K], given: JobOptions = {}): Promise<string> {
    const { json, options } = await this.prepare(name, data, given);
    this.assertOpen();
    const priority = toPriority(options.priority);
    const attempts = options.attempts ?? this.retryOptions.attempts;
    if (options.repeat !== undefined) {
      const repeat = options.repeat;
      const id =
        options.jobId ??
        `${name}:${'cron' in repeat ? `${repeat.cron}${repeat.tz ? `@${repeat.tz}` : ''}` : `every ${repeat.every}`}`;
      return this.upsertScheduler({ id, name, json, repeat, priority, attempts, count: 0, millis: 0, next: undefined });
    }
    return this.insert(name, json, {
      priority,
      attempts,
      runAt: Date.now() + (options.delay ?? 0),
      jobId: options.jobId,
      scheduler: undefined,
    });
  }

  async addBulk(
    jobs: readonly { [K in keyof In & string]: { name: K; data: In[K]; options?: JobOptions } }[keyof In & string][],
  ): Promise<string[]> {
    const prepared: { name: string; json: string; options: ResolvedJobOptions }[] = [];
    for (const job of jobs) {
      const given = job.options ?? {};
      if (given.repeat !== undefined) {
        throw new QueueError(
          'FW_QUEUE_INVALID_OPTION',
          'addBulk does not take repeat options; add repeating jobs one by one with add().',
        );
      }
      prepared.push({ name: job.name, ...(await this.prepare(job.name, job.data, given)) });
    }
    this.assertOpen();
    return prepared.map(({ name, json, options }) =>
      this.insert(name, json, {
        priority: toPriority(options.priority),
        attempts: options.attempts ?? this.retryOptions.attempts,
        runAt: Date.now() + (options.delay ?? 0),
        jobId: options.jobId,
        scheduler: undefined,
      }),
    );
  }

  process<K extends keyof Out & string>(name: K, handler: (job: Job<Out[K], K>) => unknown): this {
    if (typeof handler !== 'function') {
      throw new QueueError('FW_QUEUE_INVALID_OPTION', `process("${name}", handler) needs a handler function.`);
    }
    this.handlers.set(name, handler as Handler);
    if (this.options.work !== false) this.work();
    return this;
  }

  work(): void {
    if (this.closing !== undefined) return;
    this.working = true;
    this.wake();
  }

  async stats(): Promise<QueueStats> {
    this.promote(Date.now());
    const ready = this.waiting.length + this.prioritized.length;
    return {
      waiting: this.paused ? 0 : ready,
      active: this.active.size,
      completed: this.completed.length,
      failed: this.failedJobs.length,
      delayed: this.delayed.length,
      paused: this.paused ? ready : 0,
    };
  }

  async pause(): Promise<void> {
    this.paused = true;
    this.clearTimers();
  }

  async resume(): Promise<void> {
    this.paused = false;
    this.wake();
  }

  async retry(jobId: string): Promise<void> {
    const entry = this.jobs.get(jobId);
    if (entry?.state !== 'failed') {
      throw new QueueError(
        'FW_QUEUE_NOT_FOUND',
        `Queue "${this.name}" has no failed job ${jobId}${entry ? ` (it is ${entry.state})` : ''}; list failed jobs with queue.failed().`,
      );
    }
    // As BullMQ's job.retry(): the attempts made stay counted, so a job out of attempts runs once more.
    remove(this.failedJobs, entry);
    entry.error = undefined;
    entry.finishedAt = undefined;
    const now = Date.now();
    entry.runAt = now;
    this.enqueue(entry, now);
    this.wake();
  }

  async remove(jobId: string): Promise<void> {
    const entry = this.jobs.get(jobId);
    if (entry === undefined || entry.state === 'active') {
      throw new QueueError(
        'FW_QUEUE_NOT_FOUND',
        `Queue "${this.name}" has no job ${jobId} that can be removed (it does not exist, or it is running: wait for it to finish).`,
      );
    }
    if (entry.scheduler !== undefined && this.schedulers.get(entry.scheduler)?.next === entry) {
      throw new QueueError(
        'FW_QUEUE_NOT_FOUND',
        `Job ${jobId} of queue "${this.name}" is the next run of the repeating job "${entry.scheduler}" and cannot be removed on its own (as on Redis).`,
      );
    }
    this.delete(entry);
  }

  async clean(grace: Duration, state: 'completed' | 'failed' = 'completed', limit = 1_000): Promise<number> {
    const cutoff = Date.now() - checkMs(grace, 'grace');
    const list = state === 'completed' ? this.completed : this.failedJobs;
    // Oldest first, as BullMQ cleans; a limit of 0 means no limit.
    const old = list.filter((entry) => (entry.finishedAt ?? 0) <= cutoff).slice(0, limit > 0 ? limit : undefined);
    for (const entry of old) this.delete(entry);
    return old.length;
  }

  async failed(start = 0, end = 49): Promise<JobRecord[]> {
    const newest = [...this.failedJobs].reverse();
    const from = start < 0 ? Math.max(0, newest.length + start) : start;
    const to = end < 0 ? newest.length + end : end;
    return newest.slice(from, to + 1).map((entry) => this.toRecord(entry));
  }

  async getJob(jobId: string): Promise<JobRecord | undefined> {
    this.promote(Date.now());
    const entry = this.jobs.get(jobId);
    return entry === undefined ? undefined : this.toRecord(entry);
  }

  on<T extends QueueEventType>(type: T, listener: (event: Extract<QueueEvent, { type: T }>) => void): () => void {
    return this.emitter.on(type, listener);
  }

  async flush(): Promise<void> {
    // Running handlers finish, but their outcome is no longer recorded (their record is gone).
    this.jobs.clear();
    this.schedulers.clear();
    this.active.clear();
    this.waiting = [];
    this.prioritized = [];
    this.delayed = [];
    this.completed = [];
    this.failedJobs = [];
    // As BullMQ's obliterate: ids start again from 1 and the queue is no longer paused.
    this.counter = 0;
    this.paused = false;
    this.clearTimers();
  }

  close(timeout: Duration = '10s'): Promise<void> {
    this.closing ??= this.shutDown(checkMs(timeout, 'close() timeout'));
    return this.closing;
  }

  private async shutDown(timeout: number): Promise<void> {
    this.working = false;
    this.clearTimers();
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeout);
    });
    const outcome = await Promise.race([Promise.all(this.running).then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.logger.warn(
        { queue: this.name, running: this.running.size },
        `queue "${this.name}": ${this.running.size} job(s) still running after ${timeout} ms; closing anyway (the inline queue keeps nothing: they will not run again)`,
      );
    }
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw new QueueUnavailableError(this.name, new Error('The queue was closed.'));
  }

  /** Checks the options and data; resolves to the data as stored: the input, as JSON (the schema runs again before the handler). */
  private async prepare(
    name: string,
    data: unknown,
    given: JobOptions,
  ): Promise<{ json: string; options: ResolvedJobOptions }> {
    const options = checkJobOptions(given, `queue "${this.name}" add(${JSON.stringify(name)})`);
    await validateData(this.options.jobs, this.name, name, data);
    try {
      return { json: data === undefined ? '{}' : (JSON.stringify(data) ?? '{}'), options };
    } catch (error) {
      throw new QueueError(
        'FW_QUEUE_INVALID_OPTION',
        `The data of job "${name}" cannot be stored as JSON (${error instanceof Error ? error.message : String(error)}); pass plain data: no BigInt, no cycles.`,
      );
    }
  }

  private insert(
    name: string,
    json: string,
    options: {
      priority: number | undefined;
      attempts: number;
      /** When it may run (epoch ms). */
      runAt: number;
      jobId: string | undefined;
      scheduler: string | undefined;
    },
  ): string {
    // BullMQ's counter moves on every add, custom ids and duplicates included.
    const id = options.jobId ?? String(++this.counter);
    if (options.jobId !== undefined) this.counter++;
    if (this.jobs.has(id)) return id;
    const now = Date.now();
    const entry: Entry = {
      id,
      name,
      json,
      timestamp: now,
      priority: options.priority,
      attempts: options.attempts,
      scheduler: options.scheduler,
      state: 'waiting',
      runAt: options.runAt,
      order: 0,
      attemptsMade: 0,
    };
    this.jobs.set(id, entry);
    this.enqueue(entry, now);
    this.emitter.emit({ type: 'added', jobId: id, name });
    this.wake();
    return id;
  }

  private upsertScheduler(scheduler: Scheduler): string {
    const now = Date.now();
    const repeat = scheduler.repeat;
    let millis: number | undefined = now;
    if ('cron' in repeat) {
      millis = nextCron(repeat, now);
      if (millis === undefined) {
        throw new QueueError(
          'FW_QUEUE_INVALID_OPTION',
          `repeat.cron ${JSON.stringify(repeat.cron)} is not a cron expression this queue can follow (5 fields, or 6 with seconds first, that fire again, and a known tz), e.g. '0 9 * * *'.`,
        );
      }
    }
    const previous = this.schedulers.get(scheduler.id);
    const pending = previous?.next;
    if (
      previous !== undefined &&
      pending !== undefined &&
      (pending.state === 'waiting' || pending.state === 'delayed')
    ) {
      // As BullMQ's upsert: the next run not yet started is replaced, at the same time for an unchanged `every`.
      this.delete(pending);
      if ('every' in repeat && 'every' in previous.repeat && repeat.every === previous.repeat.every)
        millis = previous.millis;
    }
    this.schedulers.set(scheduler.id, scheduler);
    return this.addIteration(scheduler, millis) ?? scheduler.id;
  }

  /** Adds the run of `scheduler` due at `millis`, unless its limit is reached; resolves to its id. */
  private addIteration(scheduler: Scheduler, millis: number): string | undefined {
    scheduler.next = undefined;
    const limit = scheduler.repeat.limit;
    if (limit !== undefined && scheduler.count + 1 > limit) return undefined;
    let at = millis;
    let id = `repeat:${scheduler.id}:${at}`;
    if (this.jobs.has(id)) {
      // That run exists already (a cron slot re-added, or an `every` slot taken): keep it, or take the next free slot.
      if (!('every' in scheduler.repeat)) return id;
      while (this.jobs.has(id)) {
        at += scheduler.repeat.every;
        id = `repeat:${scheduler.id}:${at}`;
      }
    }
    scheduler.count++;
    scheduler.millis = at;
    this.insert(scheduler.name, scheduler.json, {
      priority: scheduler.priority,
      attempts: scheduler.attempts,
      runAt: at,
      jobId: id,
      scheduler: scheduler.id,
    });
    scheduler.next = this.jobs.get(id);
    return id;
  }

  /** When the pending run of a repeat starts, the next one is added (BullMQ's way). */
  private scheduleNext(entry: Entry, now: number): void {
    const scheduler = entry.scheduler === undefined ? undefined : this.schedulers.get(entry.scheduler);
    if (scheduler === undefined || scheduler.next !== entry) return;
    const repeat = scheduler.repeat;
    let next: number | undefined;
    if ('every' in repeat) {
      // Missed slots are skipped, keeping the phase.
      next = scheduler.millis + repeat.every * Math.max(1, Math.ceil((now - scheduler.millis) / repeat.every));
    } else {
      next = nextCron(repeat, Math.max(now, scheduler.millis));
    }
    if (next === undefined) {
      scheduler.next = undefined;
      return;
    }
    this.addIteration(scheduler, next);
  }

  /** Puts a job where it waits: delayed until `runAt`, else ready. */
  private enqueue(entry: Entry, now: number): void {
    if (entry.runAt > now) {
      entry.state = 'delayed';
      this.delayed.splice(
        upperBound(this.delayed, (other) => other.runAt <= entry.runAt),
        0,
        entry,
      );
      return;
    }
    entry.state = 'waiting';
    entry.order = ++this.order;
    const priority = entry.priority;
    if (priority === undefined) this.waiting.push(entry);
    else
      this.prioritized.splice(
        upperBound(this.prioritized, (other) => (other.priority ?? 0) <= priority),
        0,
        entry,
      );
  }

  /** Delayed jobs that are due become ready (lazily, so states and counts are right without a worker). */
  private promote(now: number): void {
    let due = 0;
    while (due < this.delayed.length && (this.delayed[due]?.runAt ?? 0) <= now) due++;
    if (due === 0) return;
    for (const entry of this.delayed.splice(0, due)) this.enqueue(entry, now);
  }

  private delete(entry: Entry): void {
    if (this.jobs.get(entry.id) !== entry) return;
    this.jobs.delete(entry.id);
    if (entry.state === 'waiting') remove(entry.priority === undefined ? this.waiting : this.prioritized, entry);
    else if (entry.state === 'delayed') remove(this.delayed, entry);
    else if (entry.state === 'completed') remove(this.completed, entry);
    else if (entry.state === 'failed') remove(this.failedJobs, entry);
    // Nothing left to wait for: the timer must not keep the process alive for a job that is gone.
    if (this.delayed.length === 0 && this.waiting.length + this.prioritized.length === 0 && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
    }
  }

  private canRun(): boolean {
    return this.working && !this.paused && this.closing === undefined;
  }

  /** Runs `pump` soon, never inside the caller (`add` must not run a handler). */
  private wake(): void {
    if (!this.canRun() || this.immediate !== undefined) return;
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      this.pump();
    });
  }

  private wakeAt(at: number): void {
    if (this.timer !== undefined && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.pump();
      },
      Math.min(MAX_TIMER, Math.max(0, at - Date.now())),
    );
  }

  private clearTimers(): void {
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    clearTimeout(this.timer);
    this.immediate = undefined;
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  /** Starts what may start now, and sets the timer for what will be due later. */
  private pump(): void {
    if (!this.canRun()) return;
    const now = Date.now();
    this.promote(now);
    while (this.running.size < this.concurrency) {
      const next = this.waiting[0] ?? this.prioritized[0];
      if (next === undefined) break;
      const wait = this.limiterWait(now);
      if (wait > 0) {
        this.wakeAt(now + wait);
        return;
      }
      if (next === this.waiting[0]) this.waiting.shift();
      else this.prioritized.shift();
      this.start(next, now);
    }
    const due = this.delayed[0];
    if (this.running.size < this.concurrency && due !== undefined) this.wakeAt(due.runAt);
  }

  /** Milliseconds until the limiter lets a job start: BullMQ's fixed window, opened by the first start. */
  private limiterWait(now: number): number {
    const limiter = this.times.limiter;
    if (limiter === undefined) return 0;
    if (now >= this.windowStart + limiter.duration) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    return this.windowCount < limiter.max ? 0 : this.windowStart + limiter.duration - now;
  }

  private start(entry: Entry, now: number): void {
    this.windowCount++;
    entry.state = 'active';
    this.active.add(entry);
    this.emitter.emit({ type: 'active', jobId: entry.id });
    if (entry.scheduler !== undefined) this.scheduleNext(entry, now);
    const run: Promise<void> = this.execute(entry)
      .catch((error: unknown) =>
        this.logger.error(
          { err: error, queue: this.name, jobId: entry.id },
          `queue "${this.name}": job ${entry.id} could not be settled`,
        ),
      )
      .finally(() => {
        this.running.delete(run);
        // Through the event loop, not a microtask chain: a long run of quick jobs must not starve I/O.
        this.wake();
      });
    this.running.add(run);
  }

  private async execute(entry: Entry): Promise<void> {
    const attempt = entry.attemptsMade + 1;
    let job = this.toJob(entry, JSON.parse(entry.json), attempt);
    let unrecoverable = false;
    let result: unknown;
    let json: string;
    try {
      const handler = this.handlers.get(entry.name);
      if (handler === undefined) {
        unrecoverable = true;
        throw new QueueError(
          'FW_QUEUE_UNKNOWN_JOB',
          `Queue "${this.name}" has no handler for job "${entry.name}" in this worker; register one with queue.process(${JSON.stringify(entry.name)}, handler) before starting workers.`,
        );
      }
      let data: unknown;
      try {
        data = await validateData(this.options.jobs, this.name, entry.name, job.data);
      } catch (error) {
        // Data that fails its schema will fail it on every retry: the job fails for good.
        unrecoverable = true;
        throw error;
      }
      job = { ...job, data };
      result = await handler(job);
      try {
        json = JSON.stringify(result) ?? 'null';
      } catch (error) {
        throw new Error(`The result of job "${entry.name}" cannot be stored as JSON: ${message(error)}`);
      }
    } catch (error) {
      this.settleFailed(entry, job, error instanceof Error ? error : new Error(String(error)), unrecoverable);
      return;
    }
    this.settleCompleted(entry, job, result, json);
  }

  private settleCompleted(entry: Entry, job: Job, result: unknown, json: string): void {
    this.active.delete(entry);
    if (this.jobs.get(entry.id) !== entry) return;
    entry.attemptsMade++;
    entry.state = 'completed';
    entry.result = json;
    entry.finishedAt = Date.now();
    this.completed.push(entry);
    while (this.completed.length > this.keepCompleted) {
      const old = this.completed.shift();
      if (old !== undefined) this.jobs.delete(old.id);
    }
    this.emitter.emit({ type: 'completed', jobId: entry.id, result: JSON.parse(json) });
    runHook(this.logger, this.name, 'onComplete', () => this.options.hooks?.onComplete?.(job, result));
  }

  private settleFailed(entry: Entry, job: Job, error: Error, unrecoverable: boolean): void {
    this.active.delete(entry);
    if (this.jobs.get(entry.id) !== entry) return;
    entry.attemptsMade++;
    entry.error = error.message;
    const willRetry = !unrecoverable && !(error instanceof UnrecoverableError) && entry.attemptsMade < entry.attempts;
    const now = Date.now();
    if (willRetry) {
      entry.runAt = now + backoffDelay(this.retryOptions, entry.attemptsMade);
      this.enqueue(entry, now);
    } else {
      entry.state = 'failed';
      entry.finishedAt = now;
      this.failedJobs.push(entry);
      // As on Redis, the event stream reports the failure for good; hooks see every failed run.
      this.emitter.emit({ type: 'failed', jobId: entry.id, error: error.message });
      logFailedJob(this.logger, this.name, { id: entry.id, name: entry.name, attempts: entry.attemptsMade }, error);
    }
    runHook(this.logger, this.name, 'onFailed', () => this.options.hooks?.onFailed?.(job, error, willRetry));
  }

  private toJob(entry: Entry, data: unknown, attempt: number): Job {
    return {
      id: entry.id,
      name: entry.name,
      data,
      attempt,
      timestamp: entry.timestamp,
      progress: async (value) => {
        this.emitter.emit({ type: 'progress', jobId: entry.id, progress: JSON.parse(JSON.stringify(value)) });
      },
    };
  }

  private toRecord(entry: Entry): JobRecord {
    return {
      id: entry.id,
      name: entry.name,
      data: JSON.parse(entry.json),
      state: entry.state,
      attemptsMade: entry.attemptsMade,
      error: entry.error,
      result: entry.result === undefined ? undefined : (JSON.parse(entry.result) ?? undefined),
      timestamp: entry.timestamp,
      finishedAt: entry.finishedAt,
    };
  }
}

/** The next time `repeat` fires after `after` (epoch ms), or undefined when it never does or cannot be read. */
function nextCron(repeat: { cron: string; tz?: string }, after: number): number | undefined {
  try {
    return CronExpressionParser.parse(repeat.cron, { tz: repeat.tz, currentDate: after }).next().getTime();
  } catch {
    return undefined;
  }
}

/** The first index whose item fails `before` in a list sorted so that `before` holds for a prefix. */
function upperBound<T>(list: readonly T[], before: (item: T) => boolean): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (before(list[middle] as T)) low = middle + 1;
    else high = middle;
  }
  return low;
}

function remove<T>(list: T[], item: T): void {
  const index = list.indexOf(item);
  if (index !== -1) list.splice(index, 1);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
