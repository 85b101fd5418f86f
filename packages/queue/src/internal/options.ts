import type { Duration } from '@framework/core';
import { checkOptions, type KnownOptions, parseDuration, type StandardSchemaV1 } from '@framework/core';
import { CronExpressionParser } from 'cron-parser';
import { QueueError, QueueValidationError } from '../errors.ts';
import type { JobOptions, JobSchemas, Priority, QueueOptions, RetryOptions } from '../types.ts';

/** BullMQ's highest priority number (its lowest priority). */
export const PRIORITY_LIMIT = 2 ** 21 - 1;
const NAMED_PRIORITIES = { high: 1, normal: 1_000, low: 2_000 } as const;

/** BullMQ's priority number for ours (`undefined`: unprioritized, BullMQ's fast path). */
export function toPriority(priority: Priority | undefined): number | undefined {
  if (priority === undefined) return undefined;
  if (typeof priority === 'string') {
    const value = NAMED_PRIORITIES[priority];
    if (value === undefined) {
      throw new QueueError(
        'FW_QUEUE_INVALID_OPTION',
        `Unknown priority ${JSON.stringify(priority)}; use 'high', 'normal', 'low' or a number from 1 to ${PRIORITY_LIMIT}.`,
      );
    }
    return value;
  }
  if (!Number.isInteger(priority) || priority < 1 || priority > PRIORITY_LIMIT) {
    throw new QueueError(
      'FW_QUEUE_INVALID_OPTION',
      `priority ${priority} is out of range; use an integer from 1 (first) to ${PRIORITY_LIMIT} (last), or 'high' | 'normal' | 'low'.`,
    );
  }
  return priority;
}

/** Retry settings with defaults filled in and checked. */
export interface ResolvedRetry {
  attempts: number;
  backoff: 'fixed' | 'exponential';
  delay: number;
  maxDelay: number;
}

export function resolveRetry(retry: RetryOptions = {}): ResolvedRetry {
  const resolved: ResolvedRetry = {
    attempts: retry.attempts ?? 3,
    backoff: retry.backoff ?? 'exponential',
    delay: checkMs(retry.delay ?? '1s', 'retry.delay'),
    maxDelay: checkMs(retry.maxDelay ?? '1h', 'retry.maxDelay'),
  };
  if (!Number.isInteger(resolved.attempts) || resolved.attempts < 1) {
    throw new QueueError(
      'FW_QUEUE_INVALID_OPTION',
      `retry.attempts is the number of runs in all (>= 1), got ${resolved.attempts}.`,
    );
  }
  if (resolved.backoff !== 'fixed' && resolved.backoff !== 'exponential') {
    throw new QueueError(
      'FW_QUEUE_INVALID_OPTION',
      `retry.backoff is 'fixed' or 'exponential', got ${JSON.stringify(resolved.backoff)}.`,
    );
  }
  return resolved;
}

/** Milliseconds to wait before attempt `attemptsMade + 1`, after `attemptsMade` failed runs. */
export function backoffDelay(retry: ResolvedRetry, attemptsMade: number): number {
  const delay = retry.backoff === 'fixed' ? retry.delay : retry.delay * 2 ** Math.max(0, attemptsMade - 1);
  return Math.min(delay, retry.maxDelay);
}

/**
 * Milliseconds of a time option: a bare number is milliseconds, a string says its unit (`'10s'`,
 * core's `Duration`). Anything else is `FW_QUEUE_INVALID_OPTION` naming the option.
 */
export function checkMs(value: unknown, option: string): number {
  try {
    return parseDuration(value, option);
  } catch {
    throw new QueueError(
      'FW_QUEUE_INVALID_OPTION',
      `${option} is a number of milliseconds >= 0 or a string with a unit ('500ms', '30s', '15m', '24h', '7d'), got ${JSON.stringify(value)}.`,
    );
  }
}

/** A `repeat` with `every` in milliseconds. */
export type ResolvedRepeat = { cron: string; tz?: string; limit?: number } | { every: number; limit?: number };

/** Job options with their times in milliseconds, as the drivers use them. */
export interface ResolvedJobOptions extends Omit<JobOptions, 'delay' | 'repeat'> {
  delay?: number;
  repeat?: ResolvedRepeat;
}

/** The queue's time options in milliseconds, as the drivers use them. */
export interface ResolvedTimes {
  limiter: { max: number; duration: number } | undefined;
  worker: { lockDuration?: number; stalledInterval?: number; maxStalledCount?: number };
}

/** Reads the queue's time options (`limiter.duration`, `worker.lockDuration`, `worker.stalledInterval`). */
export function resolveTimes(options: QueueOptions<JobSchemas>): ResolvedTimes {
  const limiter = options.limiter;
  const worker = options.worker ?? {};
  const resolved: ResolvedTimes = {
    limiter:
      limiter === undefined ? undefined : { max: limiter.max, duration: checkMs(limiter.duration, 'limiter.duration') },
    worker: {},
  };
  if (worker.lockDuration !== undefined)
    resolved.worker.lockDuration = checkMs(worker.lockDuration, 'worker.lockDuration');
  if (worker.stalledInterval !== undefined) {
    resolved.worker.stalledInterval = checkMs(worker.stalledInterval, 'worker.stalledInterval');
  }
  if (worker.maxStalledCount !== undefined) resolved.worker.maxStalledCount = worker.maxStalledCount;
  return resolved;
}

const RETRY_KEYS: KnownOptions<RetryOptions> = { attempts: true, backoff: true, delay: true, maxDelay: true };
const LIMITER_KEYS: KnownOptions<NonNullable<QueueOptions['limiter']>> = { max: true, duration: true };
const WORKER_KEYS: KnownOptions<NonNullable<QueueOptions['worker']>> = {
  lockDuration: true,
  stalledInterval: true,
  maxStalledCount: true,
};
const HOOK_KEYS: KnownOptions<NonNullable<QueueOptions['hooks']>> = { onComplete: true, onFailed: true };
/** The options of a queue, `logger` aside (that one is `createQueue`'s own). */
export const QUEUE_KEYS: KnownOptions<QueueOptions> = {
  concurrency: true,
  retry: true,
  limiter: true,
  store: true,
  hooks: true,
  jobs: true,
  redis: true,
  work: true,
  keepCompleted: true,
  worker: true,
  prefix: true,
  env: true,
};
const JOB_KEYS: KnownOptions<JobOptions> = { priority: true, delay: true, repeat: true, attempts: true, jobId: true };
/** Every key either form of `repeat` takes. */
const REPEAT_KEYS: KnownOptions<{ cron: string; tz?: string; every: Duration; limit?: number }> = {
  cron: true,
  tz: true,
  every: true,
  limit: true,
};

/**
 * Refuses unknown keys in a queue's options and in its nested ones (`retry`, `limiter`, `worker`,
 * `hooks`), naming the closest known key: a misspelled option is an error, never ignored.
 * `where` is how the caller wrote it, e.g. `createQueue("emails")`.
 */
export function checkQueueOptions<T extends QueueOptions<JobSchemas>>(
  where: string,
  options: T,
  known: KnownOptions<T>,
): void {
  checkOptions(where, options, known);
  checkOptions(`${where} retry`, options.retry, RETRY_KEYS);
  checkOptions(`${where} limiter`, options.limiter, LIMITER_KEYS);
  checkOptions(`${where} worker`, options.worker, WORKER_KEYS);
  checkOptions(`${where} hooks`, options.hooks, HOOK_KEYS);
}

/**
 * Checks a job's options before anything is sent: unknown keys, ranges, the cron expression.
 * Resolves them to what the drivers use: `delay` and `repeat.every` in milliseconds.
 */
export function checkJobOptions(options: JobOptions, where = 'add()'): ResolvedJobOptions {
  checkOptions(`${where} job options`, options, JOB_KEYS);
  checkOptions(`${where} repeat`, options.repeat, REPEAT_KEYS);
  const delay = options.delay === undefined ? undefined : checkMs(options.delay, 'delay');
  if (options.attempts !== undefined && (!Number.isInteger(options.attempts) || options.attempts < 1)) {
    throw new QueueError(
      'FW_QUEUE_INVALID_OPTION',
      `attempts is the number of runs in all (>= 1), got ${options.attempts}.`,
    );
  }
  if (options.jobId !== undefined && (typeof options.jobId !== 'string' || !/^(?!\d+$)[^:]+$/.test(options.jobId))) {
    throw new QueueError(
      'FW_QUEUE_INVALID_OPTION',
      `jobId must be a non-empty string without ':' that is not only digits (those are the queue's own ids), got ${JSON.stringify(options.jobId)}; e.g. 'welcome-123'.`,
    );
  }
  const repeat = options.repeat;
  let resolvedRepeat: ResolvedRepeat | undefined;
  if (repeat !== undefined) {
    if ('cron' in repeat) {
      resolvedRepeat = repeat;
      try {
        if (typeof repeat.cron !== 'string' || repeat.cron.trim() === '') throw new Error('it is empty');
        // Throws a RangeError for a time zone the runtime does not know.
        if (repeat.tz !== undefined) new Intl.DateTimeFormat('en', { timeZone: repeat.tz });
        CronExpressionParser.parse(repeat.cron, { tz: repeat.tz });
      } catch (error) {
        throw new QueueError(
          'FW_QUEUE_INVALID_OPTION',
          `repeat.cron ${JSON.stringify(repeat.cron)}${repeat.tz ? ` in ${repeat.tz}` : ''} is not a valid cron expression (${error instanceof Error ? error.message : String(error)}); e.g. '0 9 * * *' (daily at 9:00), six fields for seconds.`,
        );
      }
    } else {
      const every = checkMs(repeat.every, 'repeat.every');
      if (!(every >= 1)) {
        throw new QueueError(
          'FW_QUEUE_INVALID_OPTION',
          `repeat.every is at least 1 ms (a number of milliseconds, or a string such as '30s'), got ${String(repeat.every)}.`,
        );
      }
      resolvedRepeat = repeat.limit === undefined ? { every } : { every, limit: repeat.limit };
    }
  }
  toPriority(options.priority);
  const { delay: _delay, repeat: _repeat, ...rest } = options;
  const resolved: ResolvedJobOptions = { ...rest };
  if (delay !== undefined) resolved.delay = delay;
  if (resolvedRepeat !== undefined) resolved.repeat = resolvedRepeat;
  return resolved;
}

/** Validates job data with its schema (when the queue has one for the name); resolves to the parsed data. */
export async function validateData(
  schemas: JobSchemas | undefined,
  queue: string,
  name: string,
  data: unknown,
): Promise<unknown> {
  const schema: StandardSchemaV1 | undefined = schemas?.[name];
  if (schema === undefined) {
    if (schemas !== undefined) {
      throw new QueueError(
        'FW_QUEUE_UNKNOWN_JOB',
        `Queue "${queue}" has no job named ${JSON.stringify(name)}; its jobs are ${Object.keys(schemas).join(', ')}. Add a schema for it under jobs.`,
      );
    }
    return data;
  }
  const result = await schema['~standard'].validate(data);
  if (result.issues) throw new QueueValidationError(queue, name, result.issues);
  return result.value;
}
