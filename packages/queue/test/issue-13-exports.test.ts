import { runtimeExports, typeExports } from '@framework/test-helpers';
import { describe, expect, it } from 'vitest';

const packageDir = new URL('..', import.meta.url);

// Every public name of the package, entry by entry (each entry of its package.json exports): a
// rename or a removal changes this snapshot, so it shows in review as a decision rather than
// slipping through.
describe('public exports of @framework/queue', () => {
  it('lists the runtime exports of every entry point', async () => {
    expect(await runtimeExports(packageDir)).toMatchInlineSnapshot(`
      {
        ".": [
          "InlineQueue",
          "QUEUE_ERROR_CODES",
          "QueueError",
          "QueueUnavailableError",
          "QueueValidationError",
          "RedisQueue",
          "UnrecoverableError",
          "createQueue",
          "queue",
        ],
      }
    `);
  });

  it('lists the type-only exports of every entry point', () => {
    expect(typeExports(packageDir)).toMatchInlineSnapshot(`
      {
        ".": [
          "CreateQueueOptions",
          "InputsOf",
          "Job",
          "JobMap",
          "JobOptions",
          "JobRecord",
          "JobSchemas",
          "JobState",
          "OutputsOf",
          "Priority",
          "Queue",
          "QueueErrorCode",
          "QueueEvent",
          "QueueEventType",
          "QueueExports",
          "QueueHooks",
          "QueueLogger",
          "QueueOf",
          "QueueOptions",
          "QueuePluginOptions",
          "QueueStats",
          "QueuesOf",
          "RepeatOptions",
          "RetryOptions",
        ],
      }
    `);
  });
});
