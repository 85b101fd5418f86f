// Queues

// Errors
/** Throw it from a handler to fail the job at once, without the retries left (BullMQ's own class). @example `throw new UnrecoverableError('account closed')` */
export { UnrecoverableError } from 'bullmq';
export type { CreateQueueOptions, InputsOf, OutputsOf, QueueLogger } from './create-queue.ts';
export { createQueue } from './create-queue.ts';
export type { QueueErrorCode } from './errors.ts';
export { QUEUE_ERROR_CODES, QueueError, QueueUnavailableError, QueueValidationError } from './errors.ts';
export { InlineQueue } from './inline-queue.ts';

// The plugin
export type { QueueExports, QueueOf, QueuePluginOptions, QueuesOf } from './plugin.ts';
export { queue } from './plugin.ts';
export { RedisQueue } from './redis-queue.ts';
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
  QueueOptions,
  QueueStats,
  RepeatOptions,
  RetryOptions,
} from './types.ts';
