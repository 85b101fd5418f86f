import { createApp } from '@framework/core';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { database } from '../src/index.ts';
import { freshUrl, TARGETS } from './helpers.ts';
import { DDL, posts, users } from './schema.ts';

describe.each(TARGETS)('the database plugin on %s', (target) => {
  const stops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const stop of stops) await stop();
  });

  async function app() {
    const instance = createApp({ logger: false }).use(
      database({ driver: target, url: await freshUrl(target), schema: { users, posts } }),
    );
    instance.post('/users', {
      schema: { body: z.object({ email: z.email(), name: z.string().min(1) }) },
      handler: async (ctx) => ctx.status(201).json(await ctx.db.users.insert(ctx.body)),
    });
    instance.get('/users/:id', {
      schema: { params: z.object({ id: z.coerce.number().int() }) },
      handler: async (ctx) => (await ctx.db.users.find(ctx.params.id)) ?? ctx.json({ error: 'not found' }, 404),
    });
    await instance.ready();
    for (const statement of DDL) await instance.db.query(statement);
    return instance;
  }

  it('gives handlers a typed ctx.db and the app app.db; writes and reads through HTTP', async () => {
    const server = await app();
    const { url } = await server.start({ port: 0 });
    stops.push(() => server.stop());
    const created = await fetch(`${url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', name: 'Ada' }),
    });
    expect(created.status).toBe(201);
    const user = (await created.json()) as { id: number; email: string };
    expect(user.email).toBe('ada@example.com');
    expect(await (await fetch(`${url}/users/${user.id}`)).json()).toMatchObject({ id: user.id, name: 'Ada' });
    expect((await fetch(`${url}/users/999`)).status).toBe(404);
    expect(await server.db.users.count()).toBe(1);
  });

  it('answers a duplicate with 409 and a reason, not a 500', async () => {
    const server = await app();
    stops.push(() => server.stop());
    const send = () =>
      server.request('/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'dup@example.com', name: 'Dup' }),
      });
    expect((await send()).status).toBe(201);
    const conflict = await send();
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({
      code: 'FW_DB_UNIQUE_VIOLATION',
      detail: expect.stringContaining('email'),
    });
  });

  it("registers a 'database' health check with the app", async () => {
    const server = await app();
    stops.push(() => server.stop());
    expect(await server.health()).toEqual({
      status: 'up',
      checks: { database: { status: 'up', ms: expect.any(Number) } },
    });
  });

  it('closes the connections when the app stops', async () => {
    const server = await app();
    await server.start({ port: 0 });
    await server.stop();
    await expect(server.db.users.count()).rejects.toThrow();
  });
});
