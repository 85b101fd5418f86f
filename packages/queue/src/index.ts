// Errors: BullMQ's class for a job that must not be retried
/** Throw it from a handler to fail the job at once, without the retries left (BullMQ's own class). @example `throw new UnrecoverableError('account closed')` */
export { UnrecoverableError } from 'bullmq';
// Queues
export type { CreateQueueOptions, InputsOf, OutputsOf } from './create-queue.ts';
export { createQueue } from './create-queue.ts';
// Errors
export type { QueueErrorCode } from './errors.ts';
export { QUEUE_ERROR_CODES, QueueError, QueueUnavailableError, QueueValidationError } from './errors.ts';
// Drivers
export { InlineQueue } from './inline-queue.ts';
// The plugin
export type { QueueExports, QueueOf, QueuePluginOptions, QueuesOf } from './plugin.ts';
export { queue } from './plugin.ts';
// Drivers
export { RedisQueue } from './redis-queue.ts';
// Jobs, options, logger and the queue interface
export type {
  Job,
  JobMap,
  JobOptions,
  JobRecord,
  JobSchemas,
  JobState,
  Priority,
  Queue,
  QueueEvent,
  QueueEventType,
  QueueHooks,
  QueueLogger,
  QueueOptions,
  QueueStats,
  RepeatOptions,
  RetryOptions,
} from './types.ts';
