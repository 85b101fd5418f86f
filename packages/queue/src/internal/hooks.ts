import type { Logger } from '@framework/core';

/**
 * Runs a user hook (`onComplete`, `onFailed`) so that neither a throw nor a rejection can change the
 * job's outcome or crash the worker: either is logged.
 */
export function runHook(logger: Pick<Logger, 'error'>, queue: string, name: string, run: () => unknown): void {
  const failed = (error: unknown) =>
    logger.error({ err: error, queue }, `queue "${queue}": the ${name} hook threw; the job's outcome stands`);
  try {
    const result = run();
    if (result instanceof Promise) result.catch(failed);
  } catch (error) {
    failed(error);
  }
}

/**
 * Logs a job that failed for good (its last attempt, or an `UnrecoverableError`): one line with the
 * queue, the job's id, name and attempts, and the error, saying where the job is kept.
 */
export function logFailedJob(
  logger: Pick<Logger, 'error'>,
  queue: string,
  job: { id: string; name: string; attempts: number },
  error: Error,
): void {
  logger.error(
    { err: error, queue, jobId: job.id, job: job.name, attempts: job.attempts },
    `queue "${queue}": job ${job.id} (${job.name}) failed after ${job.attempts} attempt${job.attempts === 1 ? '' : 's'}: ${error.message}; it is kept in queue.failed(): fix the cause, then queue.retry("${job.id}")`,
  );
}
