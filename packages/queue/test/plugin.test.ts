import { cache } from '@framework/cache';
import { createApp } from '@framework/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { queue } from '../src/index.ts';
import { eventually, REDIS_URL } from './helpers.ts';

const jobs = { sendWelcome: z.object({ userId: z.number() }) };

describe('the queue() plugin', () => {
  it("uses the app's Redis from the cache plugin, types ctx.queues, and answers 503-free enqueues", async () => {
    const name = `welcome${Date.now()}`;
    const app = createApp({ logger: false })
      .use(cache({ redis: REDIS_URL, env: {} }))
      .use(queue({ [name]: { jobs } }));
    await app.ready();
    const emails = app.queues[name]!;
    expect(emails.store).toBe('redis');
    const sent: number[] = [];
    emails.process('sendWelcome', async (job) => {
      sent.push(job.data.userId);
    });
    app.post('/users', async (ctx) => ({ job: await ctx.queues[name]!.add('sendWelcome', { userId: 7 }) }));
    const response = await app.request('/users', { method: 'POST', headers: { origin: 'http://localhost' } });
    expect(response.status).toBe(200);
    await eventually(() => expect(sent).toEqual([7]));
    expect((await app.health()).checks.queues?.status).toBe('up');
    expect([...app.commands().keys()]).toEqual(expect.arrayContaining(['queue:work', 'queue:flush']));
    await emails.flush();
    await app.stop();
  });

  it('without Redis: the inline driver, so the app needs no server', async () => {
    const app = createApp({ logger: false }).use(queue({ emails: { jobs, env: {} } }));
    await app.ready();
    expect(app.queues.emails.store).toBe('inline');
    const done: number[] = [];
    app.queues.emails.process('sendWelcome', async (job) => {
      done.push(job.data.userId);
    });
    await app.queues.emails.add('sendWelcome', { userId: 1 });
    await eventually(() => expect(done).toEqual([1]));
    await app.stop();
  });

  it('answers a job whose data fails its schema with 400 and the reason', async () => {
    const app = createApp({ logger: false }).use(queue({ emails: { jobs, env: {} } }));
    app.post('/invite', async (ctx) => {
      await ctx.queues.emails.add('sendWelcome', ctx.body as { userId: number });
      return { queued: true };
    });
    const response = await app.request('/invite', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'seven' }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/userId/);
    await app.stop();
  });

  it('queue:flush refuses to run without naming the queues', async () => {
    const app = createApp({ logger: false }).use(queue({ emails: { env: {} } }));
    await app.ready();
    const lines: string[] = [];
    const io = { stdout: (line: string) => lines.push(line), stderr: (line: string) => lines.push(line) };
    expect(await app.commands().get('queue:flush')!.run([], io)).toBe(1);
    expect(lines.join('\n')).toMatch(/--all/);
    expect(await app.commands().get('queue:flush')!.run(['nope'], io)).toBe(1);
    expect(await app.commands().get('queue:flush')!.run(['emails'], io)).toBe(0);
    await app.stop();
  });
});
