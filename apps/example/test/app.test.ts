import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';

describe('example app', () => {
  it('creates, reads and lists to-dos', async () => {
    const app = buildApp();
    const created = await app.request('/todos', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'write docs' }),
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ id: 1, title: 'write docs', done: false });
    expect(await (await app.request('/todos/1')).json()).toEqual({ id: 1, title: 'write docs', done: false });
    expect(await (await app.request('/todos')).json()).toEqual([{ id: 1, title: 'write docs', done: false }]);
  });

  it('answers bad input and missing items with a reason', async () => {
    const app = buildApp();
    const bad = await app.request('/todos', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: '' }),
    });
    expect(bad.status).toBe(400);
    const missing = await app.request('/todos/99');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('No to-do with id 99');
    expect((await app.request('/teapot')).status).toBe(418);
  });
});
