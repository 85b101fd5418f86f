import { createApp } from '@framework/core';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createQueue, type Job, type Queue, queue } from '../src/index.ts';

describe('queue types', () => {
  it('types job data from the schemas, input for add and output for handlers', () => {
    const q = createQueue('emails', {
      jobs: {
        sendWelcome: z.object({ userId: z.number() }),
        digest: z.object({ day: z.string().transform((s) => new Date(s)) }),
      },
    });
    q.add('sendWelcome', { userId: 1 });
    q.add('digest', { day: '2026-11-26' });
    // @ts-expect-error: userId is a number
    q.add('sendWelcome', { userId: '1' });
    // @ts-expect-error: no such job
    q.add('sendGoodbye', { userId: 1 });
    // @ts-expect-error: digest takes the schema's input (a string), not its output
    q.add('digest', { day: new Date() });
    q.process('digest', async (job) => {
      expectTypeOf(job.data.day).toEqualTypeOf<Date>();
      expectTypeOf(job.name).toEqualTypeOf<'digest'>();
    });
    q.process('sendWelcome', (job) => {
      expectTypeOf(job).toEqualTypeOf<Job<{ userId: number }, 'sendWelcome'>>();
    });
    q.addBulk([{ name: 'sendWelcome', data: { userId: 2 } }]);
    // @ts-expect-error: data must match its own job name
    q.addBulk([{ name: 'sendWelcome', data: { day: 'x' } }]);
  });

  it('takes the job types as a type argument', () => {
    const q = createQueue<{ resize: { width: number } }>('images');
    expectTypeOf(q).toEqualTypeOf<Queue<{ resize: { width: number } }>>();
    // @ts-expect-error: width is a number
    q.add('resize', { width: 'big' });
  });

  it('types app.queues and ctx.queues through the plugin', () => {
    const app = createApp().use(
      queue({ emails: { jobs: { sendWelcome: z.object({ userId: z.number() }) } }, reports: {} }),
    );
    app.queues.emails.add('sendWelcome', { userId: 1 });
    // @ts-expect-error: no such queue
    app.queues.invoices;
    app.get('/', async (ctx) => {
      // @ts-expect-error: wrong data
      await ctx.queues.emails.add('sendWelcome', {});
      return ctx.queues.reports.stats();
    });
    // @ts-expect-error: priority names are high, normal, low
    app.queues.reports.add('x', {}, { priority: 'urgent' });
  });
});
