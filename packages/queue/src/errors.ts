import {
  BadRequestError,
  defineErrorCodes,
  FrameworkError,
  ServiceUnavailableError,
  type StandardSchemaV1,
} from '@framework/core';

/**
 * Every code @framework/queue's errors carry, each with what it means and what to do. Every error of
 * the package is a `FrameworkError` from @framework/core: `isFrameworkError(error, QUEUE_ERROR_CODES)`
 * is true for exactly these.
 *
 * @example
 * ```ts
 * if (isFrameworkError(error, QUEUE_ERROR_CODES)) console.error(error.code, QUEUE_ERROR_CODES[error.code]);
 * ```
 */
export const QUEUE_ERROR_CODES = defineErrorCodes('FW_QUEUE_', {
  FW_QUEUE_CONFIG:
    'The queue or its Redis connection was configured wrongly; the message names the option and a valid value.',
  FW_QUEUE_INVALID_OPTION: 'A job or queue option is out of range; pass a value within the range the message gives.',
  FW_QUEUE_UNKNOWN_JOB: 'A job name the queue has no schema or handler for; declare the job, or fix the name.',
  FW_QUEUE_NOT_FOUND: 'No job with that id; check the id (jobs are removed after their retention).',
  FW_QUEUE_INVALID_DATA:
    "Job data does not match the job's schema (400, issues in the body); send data the schema accepts.",
  FW_QUEUE_UNAVAILABLE:
    'Redis did not take the job: down, not answering, or the breaker is open (503 with Retry-After); the job was not queued, retry after Retry-After.',
});

/**
 * One of `QUEUE_ERROR_CODES`' keys.
 *
 * @example
 * ```ts
 * const code: QueueErrorCode = 'FW_QUEUE_CONFIG';
 * ```
 */
export type QueueErrorCode = keyof typeof QUEUE_ERROR_CODES;

/**
 * A misuse of the queue API: a bug in the app, with a message that says what to change.
 *
 * @example
 * ```ts
 * await queue.add('report', {}, { priority: 0 }); // QueueError: priority 0 is out of range...
 * ```
 */
export class QueueError extends FrameworkError<QueueErrorCode> {
  constructor(code: QueueErrorCode, message: string) {
    super(code, message);
    this.name = 'QueueError';
  }
}

/**
 * Job data that does not match the job's schema: answered 400 with the issues when it escapes a
 * handler (the data usually came from the request).
 *
 * @example
 * ```ts
 * await emails.add('sendWelcome', { userId: 'abc' }); // QueueValidationError: userId: expected number
 * ```
 */
export class QueueValidationError extends BadRequestError {
  readonly issues: readonly StandardSchemaV1.Issue[];
  constructor(queue: string, job: string, issues: readonly StandardSchemaV1.Issue[]) {
    const first = issues[0];
    const path =
      first?.path?.map((part) => (typeof part === 'object' ? String(part.key) : String(part))).join('.') ?? '';
    super(
      `Invalid data for job "${job}" of queue "${queue}": ${path ? `${path}: ` : ''}${first?.message ?? 'invalid'}`,
      {
        code: 'FW_QUEUE_INVALID_DATA',
        details: {
          issues: issues.map((issue) => ({
            path: issue.path?.map((part) => (typeof part === 'object' ? part.key : part)) ?? [],
            message: issue.message,
          })),
        },
      },
    );
    this.name = 'QueueValidationError';
    this.issues = issues;
  }
}

/**
 * Redis did not take the job (down, not answering, or the queue's circuit breaker is open after
 * repeated timeouts): answered 503 with `Retry-After`, and the caller knows the job was not queued.
 *
 * @example
 * ```ts
 * try { await queue.add('x', data); } catch (error) { if (isFrameworkError(error, QUEUE_ERROR_CODES) && error.code === 'FW_QUEUE_UNAVAILABLE') retryLater(); }
 * ```
 */
export class QueueUnavailableError extends ServiceUnavailableError {
  /** Seconds after which trying again makes sense (also sent as `Retry-After`). */
  readonly retryAfter: number;
  constructor(queue: string, cause: unknown, retryAfter = 1) {
    const seconds = Math.max(1, Math.ceil(retryAfter));
    super(`The job queue "${queue}" is unavailable; the job was not queued. Retry in ${seconds} s.`, {
      code: 'FW_QUEUE_UNAVAILABLE',
      cause,
      expose: true,
      headers: { 'retry-after': String(seconds) },
      // The queue logs the outage once at loss and once at recovery, not once per refused job.
      log: false,
    });
    this.name = 'QueueUnavailableError';
    this.retryAfter = seconds;
  }
}
