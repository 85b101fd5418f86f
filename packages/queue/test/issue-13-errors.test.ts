import { randomUUID } from 'node:crypto';
import { FrameworkError, isFrameworkError, isHttpError } from '@framework/core';
import { closedPort, errorCodesIn } from '@framework/test-helpers';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createQueue } from '../src/create-queue.ts';
import { QUEUE_ERROR_CODES, QueueError, QueueUnavailableError, QueueValidationError } from '../src/index.ts';
import { closeAfter, REDIS_URL, recordingLogger } from './helpers.ts';

const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('the queue errors are framework errors with registered codes', () => {
  it('every code the package raises is in QUEUE_ERROR_CODES, with the FW_QUEUE_ prefix', () => {
    const thrown = [...errorCodesIn(new URL('../src', import.meta.url))];
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
