import { checkOptions, definePlugin } from '@framework/core';

/** Options of `__identifier__()`. */
export interface __Type__Options {
  /** The word each greeting starts with. Default `'Hello'`. */
  greeting?: string;
}

/** What the plugin adds to the app (`app.__identifier__`) and to each request's context (`ctx.__identifier__`). */
export interface __Type__ {
  /** A greeting for `name`: `Hello, Ada!`. */
  greet(name: string): string;
}

/**
 * {{name}}: greets. Registers `GET /hello/:name` (mount it elsewhere with
 * `app.use(__identifier__(), { prefix: '/api' })`) and adds `app.__identifier__` and
 * `ctx.__identifier__`, typed on the app that `app.use()` returns.
 *
 * @example
 * ```ts
 * import { createApp } from '@framework/core';
 * import { __identifier__ } from '{{name}}';
 *
 * const app = createApp().use(__identifier__({ greeting: 'Hi' }));
 * app.__identifier__.greet('Ada'); // 'Hi, Ada!'
 * app.get('/welcome', (ctx) => ctx.__identifier__.greet('new user'));
 * ```
 */
export const __identifier__ = definePlugin({
  name: '{{name}}',
  version: '0.1.0',
  setup(app, options: __Type__Options = {}) {
    // A misspelled option is an error that names the right one, not a silently ignored key.
    checkOptions('__identifier__()', options, { greeting: true });
    const greeting = options.greeting ?? 'Hello';
    const api: __Type__ = { greet: (name) => `${greeting}, ${name}!` };
    app.get('/hello/:name', (ctx) => ({ message: api.greet(ctx.params.name) }));
    return { decorate: { __identifier__: api }, context: { __identifier__: () => api } };
  },
});
