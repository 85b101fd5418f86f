import { createApp } from '@framework/core';
import { describe, expect, it } from 'vitest';
import { __identifier__ } from '../src/index.ts';

// The harness: a real app with the plugin registered, answering requests in memory (no socket).
describe('__identifier__()', () => {
  it('adds app.__identifier__ and ctx.__identifier__', async () => {
    const app = createApp().use(__identifier__({ greeting: 'Hi' }));
    expect(app.__identifier__.greet('Ada')).toBe('Hi, Ada!');
    app.get('/welcome', (ctx) => ({ text: ctx.__identifier__.greet('new user') }));
    expect(await (await app.request('/welcome')).json()).toEqual({ text: 'Hi, new user!' });
  });

  it('answers GET /hello/:name, under a prefix when mounted with one', async () => {
    const app = createApp().use(__identifier__());
    expect(await (await app.request('/hello/Ada')).json()).toEqual({ message: 'Hello, Ada!' });
    const mounted = createApp().use(__identifier__(), { prefix: '/api' });
    expect((await mounted.request('/api/hello/Ada')).status).toBe(200);
    expect((await mounted.request('/hello/Ada')).status).toBe(404);
  });

  it('refuses a misspelled option, naming the right one', () => {
    // @ts-expect-error greting is not an option
    expect(() => createApp().use(__identifier__({ greting: 'Hi' }))).toThrow(/greeting/);
  });
});
