import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/index.ts';

function pinoInto(lines: Record<string, unknown>[]) {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  return pino({ level: 'debug' }, sink);
}

describe('createApp({ logger: pino() }) (issue 12)', () => {
  it('keeps every field and the message of an error line', async () => {
    const lines: Record<string, unknown>[] = [];
    const app = createApp({ logger: pinoInto(lines), exposeErrors: false });
    app.get('/boom', () => {
      throw new Error('kaput');
    });
    const res = await app.request('/boom');
    expect(res.status).toBe(500);
    const line = lines.find((entry) => entry.msg === 'unhandled error in a request');
    expect(line).toBeDefined();
    expect(line).toMatchObject({ level: 50, method: 'GET', path: '/boom' });
    expect(line?.err).toMatchObject({ message: 'kaput', stack: expect.stringContaining('Error: kaput') });
  });

  it('is the app logger as it is, so plugins log through pino too', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pinoInto(lines);
    const app = createApp({ logger });
    expect(app.logger).toBe(logger);
    app.logger.warn({ queue: 'emails' }, 'Redis connection lost');
    expect(lines).toEqual([expect.objectContaining({ level: 40, queue: 'emails', msg: 'Redis connection lost' })]);
  });
});
