import { describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/app.ts';
import { signedInHeaders } from './sign-in.ts';

describe('example app', () => {
  it('creates, reads and lists to-dos', async () => {
    const app = buildApp();
    const headers = await signedInHeaders(app);
    const created = await app.request('/todos', {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: 'write docs' }),
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ id: 1, title: 'write docs', done: false });
    expect(await (await app.request('/todos/1')).json()).toEqual({ id: 1, title: 'write docs', done: false });
    expect(await (await app.request('/todos')).json()).toEqual([{ id: 1, title: 'write docs', done: false }]);
    const done = await app.request('/todos/1', {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ done: true }),
    });
    expect(await done.json()).toEqual({ id: 1, title: 'write docs', done: true });
    await app.stop();
  });

  it('lets only a signed-in user write to-dos, while anyone reads them', async () => {
    const app = buildApp();
    const anonymous = await app.request('/todos', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'sneaked in' }),
    });
    expect(anonymous.status).toBe(401);
    const change = await app.request('/todos/1', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{"done":true}',
    });
    expect(change.status).toBe(401);
    expect(await (await app.request('/todos')).json()).toEqual([]);
    await app.stop();
  });

  it('caches the stats and recounts them when a to-do is added or done', async () => {
    const app = buildApp();
    const headers = await signedInHeaders(app);
    const post = (title: string) =>
      app.request('/todos', {
        method: 'POST',
        headers,
        body: JSON.stringify({ title }),
      });
    await post('one');
    expect(await (await app.request('/todos/stats')).json()).toEqual({ total: 1, done: 0 });
    // Written straight to the table: the cached stats do not see it...
    await app.db.todos.insert({ title: 'behind the cache' });
    expect(await (await app.request('/todos/stats')).json()).toEqual({ total: 1, done: 0 });
    // ...until the API changes a to-do and invalidates them.
    await app.request('/todos/1', {
      method: 'PATCH',
      headers,
      body: '{"done":true}',
    });
    expect(await (await app.request('/todos/stats')).json()).toEqual({ total: 2, done: 1 });
    await post('three');
    expect(await (await app.request('/todos/stats')).json()).toEqual({ total: 3, done: 1 });
    await app.stop();
  });

  it('counts created to-dos in a background job', async () => {
    const app = buildApp();
    const headers = await signedInHeaders(app);
    for (const title of ['one', 'two']) {
      await app.request('/todos', {
        method: 'POST',
        headers,
        body: JSON.stringify({ title }),
      });
    }
    await vi.waitFor(async () =>
      expect(await (await app.request('/activity')).json()).toMatchObject({
        created: 2,
        jobs: { completed: 2, failed: 0 },
      }),
    );
    await app.stop();
  });

  it('answers bad input and missing items with a reason', async () => {
    const app = buildApp();
    const headers = await signedInHeaders(app);
    const bad = await app.request('/todos', {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: '' }),
    });
    expect(bad.status).toBe(400);
    const missing = await app.request('/todos/99');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('No to-do with id 99');
    expect((await app.request('/teapot')).status).toBe(418);
    await app.stop();
  });

  it('keeps the to-dos in the database the migration created', async () => {
    const app = buildApp();
    await app.ready();
    const applied = await app.db.query<{ name: string }>('select name from framework_migrations');
    expect(applied.map((row) => row.name)).toEqual(['001_create_todos', '002_create_users']);
    await app.db.todos.insert({ title: 'straight into the table' });
    expect(await (await app.request('/todos')).json()).toEqual([
      { id: 1, title: 'straight into the table', done: false },
    ]);
    await app.stop();
  });
});
