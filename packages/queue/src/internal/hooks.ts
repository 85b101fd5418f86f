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
