import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// Every public name of the package, entry by entry: a rename or a removal changes this snapshot,
// so it shows in review as a decision rather than slipping through.
describe('public exports of @framework/queue', () => {
  it('lists the runtime exports of every entry point', async () => {
    const entries = {
      '.': await import('../src/index.ts'),
    };
    const names = Object.fromEntries(
      Object.entries(entries).map(([entry, module]) => [entry, Object.keys(module).sort()]),
    );
    expect(names).toMatchInlineSnapshot(`
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
    const files = { '.': '../src/index.ts' };
    const types = Object.fromEntries(
      Object.entries(files).map(([entry, file]) => {
        const source = readFileSync(new URL(file, import.meta.url), 'utf8');
        const names = [...source.matchAll(/export type \{([^}]*)\}/g)].flatMap((match) =>
          (match[1] ?? '')
            .split(',')
            .map((name) => name.trim())
            .filter((name) => name !== ''),
        );
        return [entry, names.sort()];
      }),
    );
    expect(types).toMatchInlineSnapshot(`
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
