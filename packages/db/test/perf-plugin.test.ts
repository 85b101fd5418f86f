import { createApp } from '@framework/core';
import { afterAll, describe, expect, it } from 'vitest';
import { database } from '../src/index.ts';
import { freshUrl, TARGETS } from './helpers.ts';
import { DDL, posts, users } from './schema.ts';

describe.each(TARGETS)('N+1 detection per request through the plugin on %s', (target) => {
  const closers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const close of closers) await close();
  });

  async function app(detectNPlusOne: boolean) {
    const warnings: string[] = [];
    const logger = { warn: (_fields: unknown, message: string) => warnings.push(message) };
    const instance = createApp({ logger: false }).use(
      database({
        driver: target,
        url: await freshUrl(target),
        schema: { users, posts },
        slowQuery: false,
        detectNPlusOne: detectNPlusOne && { logger },
      }),
    );
    instance.get('/feed', async (ctx) => {
      const feed = [];
      for (const post of await ctx.db.posts.all()) {
        feed.push({ title: post.title, author: (await ctx.db.users.find(post.userId))?.name });
      }
      return feed;
    });
    await instance.ready();
    closers.push(() => instance.stop());
    for (const statement of DDL) await instance.db.query(statement);
    const [ada] = await instance.db.users.insert([{ email: 'ada@example.com', name: 'Ada' }]);
    await instance.db.posts.insert(Array.from({ length: 6 }, (_, n) => ({ userId: ada!.id, title: `Post ${n}` })));
    return { instance, warnings };
  }

  it('warns once per request that repeats a query, each request counted on its own', async () => {
    const { instance, warnings } = await app(true);
    const [first, second] = await Promise.all([instance.request('/feed'), instance.request('/feed')]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(await first.json()).toHaveLength(6);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      /N\+1 query detected: the same query on users ran 5 times in one request, from test\/perf-plugin\.test\.ts:\d+:\d+/,
    );
  });

  it('does not warn when detection is off', async () => {
    const { instance, warnings } = await app(false);
    expect((await instance.request('/feed')).status).toBe(200);
    expect(warnings).toEqual([]);
  });
});
