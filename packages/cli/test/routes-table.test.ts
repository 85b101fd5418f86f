import { describe, expect, it } from 'vitest';
import { routeTable } from '../src/commands/routes.ts';

describe('the routes table', () => {
  it('has method, path and summary, with tags and deprecation in the summary (what an older core describes)', () => {
    const routes: Parameters<typeof routeTable>[0] = [
      { method: 'GET', path: '/users/:id', meta: { summary: 'Read a user', tags: ['users'] } },
      { method: 'DELETE', path: '/users/:id', meta: { summary: 'Delete a user', deprecated: true } },
      { method: 'GET', path: '/', meta: undefined },
    ];
    expect(routeTable(routes)).toEqual([
      'METHOD  PATH        SUMMARY',
      'GET     /users/:id  Read a user [users]',
      'DELETE  /users/:id  (deprecated) Delete a user',
      'GET     /',
    ]);
  });

  it('shows middleware counts, schemas and auth when the description carries them, and no other metadata', () => {
    const described = {
      method: 'POST',
      path: '/users',
      meta: { summary: 'Create', apiKey: 'sk_live_secret' },
      middlewares: 2,
      schemas: ['body', 'response'],
      auth: ['jwt'],
    };
    const plain = { method: 'GET', path: '/', meta: undefined };
    const table = routeTable([described, plain]);
    expect(table).toEqual([
      'METHOD  PATH    MIDDLEWARE  SCHEMAS        AUTH  SUMMARY',
      'POST    /users  2           body,response  jwt   Create',
      'GET     /                   -              -',
    ]);
    expect(table.join('\n')).not.toContain('sk_live_secret');
  });

  it('names the plugin route options a route sets, never their values', () => {
    const table = routeTable([
      { method: 'GET', path: '/me', meta: undefined, middlewares: 1, schemas: [], options: ['auth', 'rateLimit'] },
      { method: 'GET', path: '/', meta: undefined, middlewares: 1, schemas: [], options: [] },
    ]);
    expect(table).toEqual([
      'METHOD  PATH  MIDDLEWARE  SCHEMAS  OPTIONS         SUMMARY',
      'GET     /me   1           -        auth,rateLimit',
      'GET     /     1           -        -',
    ]);
  });

  it('leaves out the options column when no route sets one', () => {
    const table = routeTable([{ method: 'GET', path: '/', meta: undefined, middlewares: 0, schemas: [], options: [] }]);
    expect(table[0]).toBe('METHOD  PATH  MIDDLEWARE  SCHEMAS  SUMMARY');
  });
});
