// Issue 12: silent misconfiguration. In production without REDIS_URL the queues ran jobs on the
// non-durable inline driver without a word; misspelled options were ignored at run time; the
// plugin's decorations must exist right after use().
import { cache } from '@framework/cache';
import { createApp } from '@framework/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createQueue, queue } from '../src/index.ts';
import { appLogger, REDIS_URL } from './helpers.ts';

afterEach(() => {
  vi.unstubAllEnvs();
});

/** A fresh app in `nodeEnv` (the app reads NODE_ENV when it is created). */
function appIn(nodeEnv: string, options: { strict?: boolean; logger?: ReturnType<typeof appLogger> | false } = {}) {
  vi.stubEnv('NODE_ENV', nodeEnv);
  // A cookie secret, so that the queue's is the only development default in sight.
  return createApp({
    logger: options.logger ?? false,
    strict: options.strict ?? false,
    cookies: { secret: 'a-cookie-secret-of-at-least-32-characters' },
  });
}

describe('the inline driver as a production default', () => {
  it('NODE_ENV=production without REDIS_URL: start-up logs one warning naming REDIS_URL', async () => {
    const logger = appLogger();
    const app = appIn('production', { logger }).use(queue({ emails: { env: {} }, reports: { env: {} } }));
    await app.ready();
    const warnings = logger.lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/Queues "emails", "reports" run jobs on the inline driver/);
    expect(warnings[0]?.message).toContain('REDIS_URL=redis://host:6379');
    expect(warnings[0]?.message).toContain("store: 'inline'");
    await app.stop();
  });

  it('strict production: start-up refuses, naming REDIS_URL', async () => {
    const app = appIn('production', { strict: true }).use(queue({ emails: { env: {} } }));
    await expect(app.ready()).rejects.toThrow(
      /Queue "emails" runs jobs on the inline driver[\s\S]*REDIS_URL=redis:\/\/host:6379/,
    );
    await app.stop();
  });

  it("an explicit store: 'inline', or a Redis, is not reported", async () => {
    const logger = appLogger();
    const app = appIn('production', { logger, strict: true }).use(
      queue({ emails: { store: 'inline', env: {} }, reports: { redis: REDIS_URL, env: {}, work: false } }),
    );
    await app.ready();
    expect(logger.lines).toEqual([]);
    await app.stop();
  });

  it('outside production the fallback is silent', async () => {
    const logger = appLogger();
    const app = appIn('development', { logger }).use(queue({ emails: { env: {} } }));
    await app.ready();
    expect(logger.lines).toEqual([]);
    await app.stop();
  });
});

describe('unknown options are errors, with "did you mean"', () => {
  it('createQueue options and the nested retry, limiter, worker and hooks', () => {
    const wrong = (options: object) => () => createQueue('emails', { env: {}, ...options });
    expect(wrong({ concurency: 5 })).toThrow(
      /createQueue\("emails"\) has no option "concurency". Did you mean "concurrency"\?/,
    );
    expect(wrong({ retry: { attempt: 3 } })).toThrow(
      /createQueue\("emails"\) retry has no option "attempt". Did you mean "attempts"\?/,
    );
    expect(wrong({ limiter: { max: 1, duraton: 1_000 } })).toThrow(
      /limiter has no option "duraton". Did you mean "duration"\?/,
    );
    expect(wrong({ worker: { lockDurations: 1 } })).toThrow(
      /worker has no option "lockDurations". Did you mean "lockDuration"\?/,
    );
    expect(wrong({ hooks: { onFail: () => {} } })).toThrow(/hooks has no option "onFail". Did you mean "onFailed"\?/);
    expect(wrong({ concurency: 5 })).toThrow(expect.objectContaining({ code: 'FW_ERR_UNKNOWN_OPTION' }));
  });

  it('the queue() plugin options and each queue entry, at registration', () => {
    expect(() => queue({ emails: {} }, { closeTimout: 5_000 } as never)).toThrow(
      /queue\(\) options has no option "closeTimout". Did you mean "closeTimeout"\?/,
    );
    expect(() => queue({ emails: { concurency: 5 } as never })).toThrow(
      /queue\(\{ "emails": \.\.\. \}\) has no option "concurency". Did you mean "concurrency"\?/,
    );
    expect(() => queue({ emails: { retry: { maxdelay: 5 } } as never })).toThrow(
      /retry has no option "maxdelay". Did you mean "maxDelay"\?/,
    );
    expect(() => queue({ emails: {} }, { closeTimeout: -1 })).toThrow(/closeTimeout is a number of milliseconds/);
  });

  for (const store of ['inline', 'redis'] as const) {
    it(`add() and addBulk() job options on the ${store} driver`, async () => {
      const q = createQueue(`options-${store}`, { store, redis: REDIS_URL, env: {}, work: false });
      try {
        await expect(q.add('x', {}, { atempts: 3 } as never)).rejects.toThrow(
          /queue "options-\w+" add\("x"\) job options has no option "atempts". Did you mean "attempts"\?/,
        );
        await expect(q.add('x', {}, { repeat: { evry: 1_000 } } as never)).rejects.toThrow(
          /repeat has no option "evry". Did you mean "every"\?/,
        );
        await expect(q.addBulk([{ name: 'x', data: {}, options: { jobid: 'a' } as never }])).rejects.toThrow(
          /has no option "jobid". Did you mean "jobId"\?/,
        );
        expect(await q.stats()).toMatchObject({ waiting: 0, delayed: 0 });
      } finally {
        await q.close(2_000);
      }
    });
  }
});

describe('decorations right after use()', () => {
  it('app.queues exists as soon as queue() is registered, before ready()', async () => {
    const app = createApp({ logger: false }).use(queue({ emails: { env: {} } }));
    expect(app.queues.emails.name).toBe('emails');
    let handled = 0;
    app.queues.emails.process('x', async () => {
      handled++;
    });
    await app.ready();
    expect(app.queues.emails.store).toBe('inline');
    await app.stop();
    expect(handled).toBe(0);
  });

  it("with @framework/cache registered first, the queues use the app's Redis right away", async () => {
    const app = createApp({ logger: false })
      .use(cache({ redis: REDIS_URL, env: {} }))
      .use(queue({ emails: { env: {}, work: false } }));
    // No REDIS_URL in the queue's env: 'redis' can only come from app.redis, before ready().
    expect(app.queues.emails.store).toBe('redis');
    await app.ready();
    await app.stop();
  });
});
