import { afterEach, describe, expect, it } from 'vitest'; // @fw:test-imports
// @fw:test-modules
import { buildApp } from '../src/app.ts';

const apps: ReturnType<typeof buildApp>[] = [];
function app() {
  const built = buildApp();
  apps.push(built);
  return built;
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((built) => built.stop()));
});

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('{{name}}', () => {
  it('is ready when its dependencies are', async () => {
    const response = await app().request('/health/ready');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'up' });
  });

  it('creates, finds and lists notes', async () => {
    const api = app();
    const created = await api.request('/notes', json({ title: 'Write the README' }));
    expect(created.status).toBe(201);
    const note = { id: 1, title: 'Write the README' };
    expect(await created.json()).toEqual(note);
    expect(await (await api.request('/notes/1')).json()).toEqual(note);
    expect(await (await api.request('/notes')).json()).toEqual([note]);
  });

  it('answers 400 with the reason for an invalid note, and 404 for an unknown one', async () => {
    const api = app();
    const invalid = await api.request('/notes', json({ title: '' }));
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ issues: [expect.objectContaining({ path: ['body', 'title'] })] });
    expect((await api.request('/notes/999')).status).toBe(404);
  });
  // @fw:tests
});
