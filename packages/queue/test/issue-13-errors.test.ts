import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { FrameworkError, isFrameworkError, isHttpError } from '@framework/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createQueue } from '../src/create-queue.ts';
import { QUEUE_ERROR_CODES, QueueError, QueueUnavailableError, QueueValidationError } from '../src/index.ts';
import { closeAfter, REDIS_URL, recordingLogger } from './helpers.ts';

/** Every `'FW_…'` string literal in the code (not the comments) of the TypeScript files under `directory`. */
function codesIn(directory: string): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    for (const line of readFileSync(join(entry.parentPath, entry.name), 'utf8').split('\n')) {
      if (/^\s*(\*|\/\*|\/\/)/.test(line)) continue;
      for (const match of line.matchAll(/['"`](FW_[A-Z0-9_]*[A-Z0-9])['"`]/g)) found.add(match[1] as string);
    }
  }
  return found;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('the queue errors are framework errors with registered codes', () => {
  it('every code the package raises is in QUEUE_ERROR_CODES, with the FW_QUEUE_ prefix', () => {
    const thrown = [...codesIn(join(import.meta.dirname, '../src'))];
    expect(thrown.filter((code) => !(code in QUEUE_ERROR_CODES))).toEqual([]);
    for (const code of Object.keys(QUEUE_ERROR_CODES)) expect(thrown).toContain(code);
  });

  it('QueueError, QueueValidationError and QueueUnavailableError extend the core base', () => {
    const errors = [
      new QueueError('FW_QUEUE_CONFIG', 'x'),
      new QueueValidationError('q', 'job', [{ message: 'expected number', path: ['id'] }]),
      new QueueUnavailableError('q', new Error('down')),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(FrameworkError);
      expect(isFrameworkError(error, QUEUE_ERROR_CODES)).toBe(true);
    }
  });

  it('from the real code paths: data the schema refuses, Redis unreachable', async () => {
    const jobs = closeAfter(
      createQueue(`q-${randomUUID()}`, {
        store: 'redis',
        redis: REDIS_URL,
        env: {},
        logger: recordingLogger(),
        jobs: { welcome: z.object({ userId: z.number() }) },
      }),
    );
    const invalid = await caught(jobs.add('welcome', JSON.parse('{"userId":"x"}')));
    expect(isFrameworkError(invalid, QUEUE_ERROR_CODES) && invalid.code).toBe('FW_QUEUE_INVALID_DATA');
    expect(isHttpError(invalid) && invalid.status).toBe(400);

    const down = closeAfter(
      createQueue(`q-${randomUUID()}`, {
        store: 'redis',
        redis: `redis://127.0.0.1:${await closedPort()}`,
        env: {},
        logger: recordingLogger(),
      }),
    );
    const refused = await caught(down.add('welcome', {}));
    expect(isFrameworkError(refused, QUEUE_ERROR_CODES) && refused.code).toBe('FW_QUEUE_UNAVAILABLE');
    expect(isHttpError(refused) && refused.status).toBe(503);
  });
});
