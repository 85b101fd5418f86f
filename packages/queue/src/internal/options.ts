import { checkOptions, type KnownOptions, type StandardSchemaV1 } from '@framework/core';
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
    delay: retry.delay ?? 1_000,
    maxDelay: retry.maxDelay ?? 3_600_000,
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
  checkMs(resolved.delay, 'retry.delay');
  checkMs(resolved.maxDelay, 'retry.maxDelay');
  return resolved;
}

/** Milliseconds to wait before attempt `attemptsMade + 1`, after `attemptsMade` failed runs. */
export function backoffDelay(retry: ResolvedRetry, attemptsMade: number): number {
  const delay = retry.backoff === 'fixed' ? retry.delay : retry.delay * 2 ** Math.max(0, attemptsMade - 1);
  return Math.min(delay, retry.maxDelay);
}

export function checkMs(value: number, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new QueueError(
      'FW_QUEUE_INVALID_OPTION',
      `${option} is a number of milliseconds >= 0, got ${String(value)}.`,
    );
  }
  return value;
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
const REPEAT_KEYS: KnownOptions<{ cron: string; tz?: string; every: number; limit?: number }> = {
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

/** Checks a job's options before anything is sent: unknown keys, ranges, the cron expression. */
export function checkJobOptions(options: JobOptions, where = 'add()'): void {
  checkOptions(`${where} job options`, options, JOB_KEYS);
  checkOptions(`${where} repeat`, options.repeat, REPEAT_KEYS);
  if (options.delay !== undefined) checkMs(options.delay, 'delay');
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
  if (repeat !== undefined) {
    if ('cron' in repeat) {
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
    } else if (!(repeat.every >= 1)) {
      throw new QueueError(
        'FW_QUEUE_INVALID_OPTION',
        `repeat.every is a number of milliseconds >= 1, got ${String(repeat.every)}.`,
      );
    }
  }
  toPriority(options.priority);
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
