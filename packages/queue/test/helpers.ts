import { randomUUID } from 'node:crypto';
import { afterEach, vi } from 'vitest';
import { type CreateQueueOptions, createQueue } from '../src/create-queue.ts';
import type { JobMap, JobSchemas, Queue } from '../src/types.ts';

export const REDIS_URL = process.env.REDIS_URL ?? '';
if (REDIS_URL === '')
  throw new Error('REDIS_URL is not set: run these tests through `pnpm test` (test-services starts Redis).');

/** The two drivers every behaviour runs on. */
export const STORES = ['redis', 'inline'] as const;
export type Store = (typeof STORES)[number];

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits generously: tests run on a loaded 2-core machine. */
export const eventually = (assertion: () => unknown, timeout = 15_000) =>
  vi.waitFor(assertion, { timeout, interval: 25 });

/** Logged lines, for asserting what the queue said. */
export function recordingLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  return {
    lines,
    info: (fields: Record<string, unknown>, message: string) => lines.push({ level: 'info', message, fields }),
    warn: (fields: Record<string, unknown>, message: string) => lines.push({ level: 'warn', message, fields }),
    error: (fields: Record<string, unknown>, message: string) => lines.push({ level: 'error', message, fields }),
  };
}

const opened: { close(timeout?: number): Promise<void> }[] = [];
afterEach(async () => {
  const queues = opened.splice(0);
  await Promise.all(queues.map((q) => q.close(2_000)));
});

/** A queue with a name no other test uses, on `store`, closed after the test. */
export function makeQueue<Jobs extends JobMap = JobMap>(
  store: Store,
  options: CreateQueueOptions<JobSchemas> = {},
  name = `q-${randomUUID()}`,
): Queue<Jobs> {
  const q = createQueue<Jobs>(name, { store, redis: REDIS_URL, env: {}, logger: recordingLogger(), ...options });
  opened.push(q);
  return q;
}

/** Registers a queue made elsewhere for closing after the test. */
export function closeAfter<Q extends { close(timeout?: number): Promise<void> }>(q: Q): Q {
  opened.push(q);
  return q;
}

/** A full logger for `createApp({ logger })` that records every line. */
export function appLogger() {
  const recorded = recordingLogger();
  return {
    lines: recorded.lines,
    debug: () => {},
    info: recorded.info,
    warn: recorded.warn,
    error: recorded.error,
  };
}

/** Milliseconds `run` took, with its outcome. */
export async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await run();
  return { ms: performance.now() - started, value };
}
