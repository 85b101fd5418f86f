import { describe, expect, it } from 'vitest';
import { Router, RouterError } from '../../src/router/radix.ts';

type Row = [method: string, path: string, expected: string | null, params?: Record<string, string>];

/** The value of each route is `"METHOD pattern"`, so a row names the route it expects. */
const ROUTES: Array<[string, string]> = [
  ['GET', '/'],
  ['GET', '/users'],
  ['GET', '/users/new'],
  ['POST', '/users/new'],
  ['GET', '/users/:id(\\d+)'],
  ['GET', '/users/:name'],
  ['GET', '/users/:id/posts/:postId'],
  ['GET', '/a/b/c'],
  ['GET', '/a/:x/d'],
  ['GET', '/a/*'],
  ['GET', '/files/*'],
  ['GET', '/files/special'],
  ['GET', '/static/:file'],
  ['GET', '/any'],
  ['ALL', '/any'],
  ['ALL', '/hook/:id'],
  ['POST', '/only-post/new'],
  ['GET', '/only-post/:id'],
  ['GET', '/v/:n(\\d+)'],
  ['GET', '/v/:w([a-z]+)'],
  ['GET', '/v/:any'],
  ['GET', '/date/:d(\\d{4}-\\d{2}-\\d{2})/:rest'],
  ['GET', '/date/:d/x'],
  ['GET', '/deep/:a/:b/:c'],
  ['GET', '/deep/x/y/z/w'],
  ['GET', '/a%20b'],
];

const ROWS: Row[] = [
  ['GET', '/', 'GET /', {}],
  ['GET', '/users', 'GET /users', {}],
  // static beats regex beats param
  ['GET', '/users/new', 'GET /users/new', {}],
  ['POST', '/users/new', 'POST /users/new', {}],
  ['GET', '/users/42', 'GET /users/:id(\\d+)', { id: '42' }],
  ['GET', '/users/12a', 'GET /users/:name', { name: '12a' }],
  ['GET', '/users/a12b', 'GET /users/:name', { name: 'a12b' }],
  ['GET', '/users/', null],
  ['GET', '/users//posts/1', null],
  ['POST', '/users/42', null],
  // backtracking: the regex branch has no "posts" child, so the plain param is tried
  ['GET', '/users/42/posts/7', 'GET /users/:id/posts/:postId', { id: '42', postId: '7' }],
  ['GET', '/users/bob/posts/7', 'GET /users/:id/posts/:postId', { id: 'bob', postId: '7' }],
  ['GET', '/users/new/posts/7', 'GET /users/:id/posts/:postId', { id: 'new', postId: '7' }],
  ['GET', '/a/b/c', 'GET /a/b/c', {}],
  ['GET', '/a/b/d', 'GET /a/:x/d', { x: 'b' }],
  ['GET', '/a/b/e', 'GET /a/*', { '*': 'b/e' }],
  ['GET', '/a/b/c/d', 'GET /a/*', { '*': 'b/c/d' }],
  ['GET', '/a', 'GET /a/*', { '*': '' }],
  ['GET', '/a/', 'GET /a/*', { '*': '' }],
  ['GET', '/a//x', 'GET /a/*', { '*': '/x' }],
  // wildcard forms
  ['GET', '/files', 'GET /files/*', { '*': '' }],
  ['GET', '/files/', 'GET /files/*', { '*': '' }],
  ['GET', '/files/a/b/c', 'GET /files/*', { '*': 'a/b/c' }],
  ['GET', '/files/special', 'GET /files/special', {}],
  ['GET', '/files/special/', 'GET /files/*', { '*': 'special/' }],
  ['GET', '/files/special/x', 'GET /files/*', { '*': 'special/x' }],
  ['GET', '/files/a%20b/c%2Fd', 'GET /files/*', { '*': 'a b/c/d' }],
  ['GET', '/filesx', null],
  // percent-encoding
  ['GET', '/static/app.js', 'GET /static/:file', { file: 'app.js' }],
  ['GET', '/static/a%2Fb', 'GET /static/:file', { file: 'a/b' }],
  ['GET', '/static/a%2fb', 'GET /static/:file', { file: 'a/b' }],
  ['GET', '/static/caf%C3%A9', 'GET /static/:file', { file: 'café' }],
  ['GET', '/static/100%25', 'GET /static/:file', { file: '100%' }],
  ['GET', '/static/a/b', null],
  ['GET', '/static/', null],
  ['GET', '/us%65rs', null],
  ['GET', '/a%20b', 'GET /a%20b', {}],
  ['GET', '/a b', null],
  // case-sensitive, no implicit HEAD
  ['GET', '/Users', null],
  ['HEAD', '/users', null],
  // ALL vs exact method
  ['GET', '/any', 'GET /any', {}],
  ['DELETE', '/any', 'ALL /any', {}],
  ['OPTIONS', '/any', 'ALL /any', {}],
  ['PUT', '/hook/1', 'ALL /hook/:id', { id: '1' }],
  ['GET', '/hook/1', 'ALL /hook/:id', { id: '1' }],
  // another method's static route does not hide this method's param route
  ['GET', '/only-post/new', 'GET /only-post/:id', { id: 'new' }],
  ['POST', '/only-post/new', 'POST /only-post/new', {}],
  ['POST', '/only-post/x', null],
  // several regexes at one position, then the plain param
  ['GET', '/v/12', 'GET /v/:n(\\d+)', { n: '12' }],
  ['GET', '/v/ab', 'GET /v/:w([a-z]+)', { w: 'ab' }],
  ['GET', '/v/A1', 'GET /v/:any', { any: 'A1' }],
  ['GET', '/v/%31%32', 'GET /v/:n(\\d+)', { n: '12' }],
  ['GET', '/date/2024-01-31/r', 'GET /date/:d(\\d{4}-\\d{2}-\\d{2})/:rest', { d: '2024-01-31', rest: 'r' }],
  ['GET', '/date/2024-01-31/x', 'GET /date/:d(\\d{4}-\\d{2}-\\d{2})/:rest', { d: '2024-01-31', rest: 'x' }],
  ['GET', '/date/today/x', 'GET /date/:d/x', { d: 'today' }],
  ['GET', '/date/today/y', null],
  ['GET', '/deep/x/y/z/w', 'GET /deep/x/y/z/w', {}],
  ['GET', '/deep/x/y/z', 'GET /deep/:a/:b/:c', { a: 'x', b: 'y', c: 'z' }],
  ['GET', '/deep/x/y/q', 'GET /deep/:a/:b/:c', { a: 'x', b: 'y', c: 'q' }],
  // maxParamLength (default 100, raw length)
  ['GET', '/static/' + 'a'.repeat(100), 'GET /static/:file', { file: 'a'.repeat(100) }],
  ['GET', '/static/' + 'a'.repeat(101), null],
  ['GET', '/v/' + '1'.repeat(101), null],
  // not a path
  ['GET', '', null],
  ['GET', '*', null],
  ['GET', 'users', null],
  ['GET', '/nope', null],
];

function build<T extends [string, string]>(routes: readonly T[], options?: ConstructorParameters<typeof Router>[0]) {
  const router = new Router<string>(options);
  for (const [method, path] of routes) router.add(method, path, `${method} ${path}`);
  return router;
}

/** A deterministic shuffle (mulberry32), so the orders are the same on every run. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

const ORDERS: Array<[string, Array<[string, string]>]> = [
  ['registration order', ROUTES],
  ['reversed', [...ROUTES].reverse()],
  ['shuffled (seed 1)', shuffled(ROUTES, 1)],
  ['shuffled (seed 2)', shuffled(ROUTES, 2)],
  ['shuffled (seed 3)', shuffled(ROUTES, 3)],
];

describe.each(ORDERS)('find, routes registered in %s', (_name, routes) => {
  const router = build(routes);
  it.each(ROWS)('%s %s -> %s', (method, path, expected, params) => {
    const match = router.find(method, path);
    if (expected === null) {
      expect(match).toBeNull();
    } else {
      expect(match).toEqual({ value: expected, params });
    }
  });
});

describe('invalid percent-encoding', () => {
  const router = build(ROUTES);
  it.each([
    ['/static/%E0%A4%A'],
    ['/static/%'],
    ['/static/a%zz'],
    ['/static/%C3'],
    ['/users/%E0%A4%A/posts/1'],
    ['/files/ok/%'],
  ])('GET %s throws FW_ERR_BAD_PATH', (path) => {
    expect(() => router.find('GET', path)).toThrowError(RouterError);
    try {
      router.find('GET', path);
    } catch (error) {
      expect(error).toMatchObject({ name: 'RouterError', code: 'FW_ERR_BAD_PATH' });
    }
  });
  it('does not decode (nor throw) for a static match or a non-matching path', () => {
    expect(router.find('GET', '/nope/%')).toBeNull();
    expect(router.find('POST', '/static/%')).toBeNull();
  });
  it('a regex parameter does not match an undecodable segment', () => {
    const r = build([['GET', '/n/:id(.+)']]);
    expect(r.find('GET', '/n/%')).toBeNull();
    expect(r.find('GET', '/n/%25')).toEqual({ value: 'GET /n/:id(.+)', params: { id: '%' } });
  });
});

describe('allowed', () => {
  const router = build(ROUTES);
  const common = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];
  it.each([
    ['/users/new', ['GET', 'HEAD', 'POST']],
    ['/users/42', ['GET', 'HEAD']],
    ['/users', ['GET', 'HEAD']],
    ['/any', common],
    ['/hook/1', common],
    ['/only-post/new', ['GET', 'HEAD', 'POST']],
    ['/only-post/x', ['GET', 'HEAD']],
    ['/a/b/d', ['GET', 'HEAD']],
    ['/static/%', ['GET', 'HEAD']],
    ['/static/' + 'a'.repeat(101), []],
    ['/nope', []],
    ['/users/', []],
    ['', []],
  ])('allowed(%s) = %j', (path, expected) => {
    expect(router.allowed(path)).toEqual(expected);
  });
  it('lists methods other than GET without adding HEAD', () => {
    const r = build([
      ['PUT', '/x/:id'],
      ['DELETE', '/x/:id'],
      ['PATCH', '/x/*'],
    ]);
    expect(r.allowed('/x/1')).toEqual(['DELETE', 'PATCH', 'PUT']);
    expect(r.allowed('/x')).toEqual(['PATCH']);
  });
});

describe('regex parameters', () => {
  it('are anchored and tested against the whole decoded segment', () => {
    const r = build([['GET', '/n/:id(\\d+)']]);
    expect(r.find('GET', '/n/12')?.params).toEqual({ id: '12' });
    expect(r.find('GET', '/n/12a')).toBeNull();
    expect(r.find('GET', '/n/a12b')).toBeNull();
    expect(r.find('GET', '/n/a12')).toBeNull();
    expect(r.find('GET', '/n/')).toBeNull();
  });
  it('are anchored around alternations too', () => {
    const r = build([['GET', '/n/:x(a|b)']]);
    expect(r.find('GET', '/n/a')).not.toBeNull();
    expect(r.find('GET', '/n/ab')).toBeNull();
    expect(r.find('GET', '/n/xb')).toBeNull();
  });
  it('may contain "/" and parentheses, which do not end the segment or the regex', () => {
    const r = build([
      ['GET', '/p/:x([^/]+)/end'],
      ['GET', '/q/:y([(]+)'],
      ['GET', '/r/:z(a(?:b)c)'],
    ]);
    expect(r.find('GET', '/p/abc/end')?.params).toEqual({ x: 'abc' });
    expect(r.find('GET', '/p/a%2Fb/end')).toBeNull();
    expect(r.find('GET', '/q/((')?.params).toEqual({ y: '((' });
    expect(r.find('GET', '/r/abc')?.params).toEqual({ z: 'abc' });
  });
  it('are tried in registration order when several match', () => {
    const first = build([
      ['GET', '/t/:a(\\d+)'],
      ['GET', '/t/:b(\\d{2})'],
    ]);
    const second = build([
      ['GET', '/t/:b(\\d{2})'],
      ['GET', '/t/:a(\\d+)'],
    ]);
    expect(first.find('GET', '/t/12')).toEqual({ value: 'GET /t/:a(\\d+)', params: { a: '12' } });
    expect(second.find('GET', '/t/12')).toEqual({ value: 'GET /t/:b(\\d{2})', params: { b: '12' } });
    expect(second.find('GET', '/t/123')).toEqual({ value: 'GET /t/:a(\\d+)', params: { a: '123' } });
  });
  it('share a node when the regex is the same, with names stored per route', () => {
    const r = build([
      ['GET', '/s/:id(\\d+)'],
      ['POST', '/s/:num(\\d+)'],
      ['GET', '/s/:n(\\d+)/x'],
    ]);
    expect(r.find('GET', '/s/1')?.params).toEqual({ id: '1' });
    expect(r.find('POST', '/s/1')?.params).toEqual({ num: '1' });
    expect(r.find('GET', '/s/1/x')?.params).toEqual({ n: '1' });
  });
});

describe('trailing slash', () => {
  it('is significant by default', () => {
    const r = build([
      ['GET', '/users'],
      ['GET', '/users/'],
      ['GET', '/x'],
      ['GET', '/p/:id'],
    ]);
    expect(r.find('GET', '/users')?.value).toBe('GET /users');
    expect(r.find('GET', '/users/')?.value).toBe('GET /users/');
    expect(r.find('GET', '/x/')).toBeNull();
    expect(r.find('GET', '/p/1/')).toBeNull();
    expect(r.find('GET', '/p/1')?.params).toEqual({ id: '1' });
  });
  it('is ignored, in patterns and requests, with ignoreTrailingSlash', () => {
    const r = build(
      [
        ['GET', '/x'],
        ['GET', '/y/'],
        ['GET', '/'],
        ['GET', '/p/:id'],
        ['GET', '/files/*'],
      ],
      { ignoreTrailingSlash: true },
    );
    expect(r.find('GET', '/x')?.value).toBe('GET /x');
    expect(r.find('GET', '/x/')?.value).toBe('GET /x');
    expect(r.find('GET', '/y')?.value).toBe('GET /y/');
    expect(r.find('GET', '/y/')?.value).toBe('GET /y/');
    expect(r.find('GET', '/')?.value).toBe('GET /');
    expect(r.find('GET', '/p/1/')?.params).toEqual({ id: '1' });
    expect(r.find('GET', '/files/a/')?.params).toEqual({ '*': 'a' });
    expect(r.find('GET', '/files/')?.params).toEqual({ '*': '' });
    expect(r.find('GET', '/x//')).toBeNull();
    expect(r.allowed('/x/')).toEqual(['GET', 'HEAD']);
  });
  it('makes /x and /x/ conflict with ignoreTrailingSlash', () => {
    const r = new Router<string>({ ignoreTrailingSlash: true });
    r.add('GET', '/users', 'a');
    expect(() => r.add('GET', '/users/', 'b')).toThrowError(
      'Route GET /users/ conflicts with GET /users, registered earlier.',
    );
  });
});

describe('wildcards', () => {
  it('/* matches every path, after everything else', () => {
    const r = build([
      ['GET', '/*'],
      ['GET', '/a'],
      ['GET', '/:p/b'],
    ]);
    expect(r.find('GET', '/')).toEqual({ value: 'GET /*', params: { '*': '' } });
    expect(r.find('GET', '/a')?.value).toBe('GET /a');
    expect(r.find('GET', '/x/b')).toEqual({ value: 'GET /:p/b', params: { p: 'x' } });
    expect(r.find('GET', '/x/c')).toEqual({ value: 'GET /*', params: { '*': 'x/c' } });
    expect(r.find('GET', '/' + 'a'.repeat(500))).toEqual({ value: 'GET /*', params: { '*': 'a'.repeat(500) } });
  });
  it('a deeper wildcard beats a shallower one, and a static route beats both', () => {
    const r = build([
      ['GET', '/*'],
      ['GET', '/a/*'],
      ['GET', '/a/b/*'],
      ['GET', '/a/b'],
    ]);
    expect(r.find('GET', '/a/b')?.value).toBe('GET /a/b');
    expect(r.find('GET', '/a/b/')).toEqual({ value: 'GET /a/b/*', params: { '*': '' } });
    expect(r.find('GET', '/a/c')).toEqual({ value: 'GET /a/*', params: { '*': 'c' } });
    expect(r.find('GET', '/b')).toEqual({ value: 'GET /*', params: { '*': 'b' } });
  });
  it('combines with parameters', () => {
    const r = build([['GET', '/u/:id/files/*']]);
    expect(r.find('GET', '/u/7/files/a/b')?.params).toEqual({ id: '7', '*': 'a/b' });
    expect(r.find('GET', '/u/7/files')?.params).toEqual({ id: '7', '*': '' });
  });
});

describe('maxParamLength', () => {
  it('is configurable and applies to the raw segment', () => {
    const r = build([['GET', '/p/:x']], { maxParamLength: 5 });
    expect(r.find('GET', '/p/abcde')?.params).toEqual({ x: 'abcde' });
    expect(r.find('GET', '/p/abcdef')).toBeNull();
    expect(r.find('GET', '/p/%41%42')).toBeNull();
  });
  it('falls through to a wildcard, which has no limit', () => {
    const r = build([
      ['GET', '/p/:x'],
      ['GET', '/p/*'],
    ]);
    expect(r.find('GET', '/p/' + 'a'.repeat(101))?.value).toBe('GET /p/*');
  });
  it('rejects a bad value', () => {
    expect(() => new Router({ maxParamLength: 0 })).toThrowError(RangeError);
    expect(() => new Router({ maxParamLength: 1.5 })).toThrowError(RangeError);
  });
});

describe('bounded lookups', () => {
  it('return null for long paths that match nothing', () => {
    const r = build([['GET', '/:x']]);
    expect(r.find('GET', '/a' + '-a'.repeat(8000) + '/a')).toBeNull();
    expect(r.find('GET', '/' + 'a'.repeat(100_000))).toBeNull();
    expect(r.find('GET', '/a/'.repeat(33_000))).toBeNull();
    expect(r.allowed('/' + 'a'.repeat(100_000))).toEqual([]);
  });
  it('return null with many overlapping routes and a path of many short segments', () => {
    const routes: Array<[string, string]> = [];
    for (let depth = 1; depth <= 8; depth++) {
      routes.push(['GET', '/:p0' + Array.from({ length: depth - 1 }, (_, k) => `/:p${k + 1}`).join('') + '/end']);
      routes.push(['GET', '/a'.repeat(depth) + '/:last(\\d+)']);
    }
    const r = build(routes);
    expect(r.find('GET', '/a'.repeat(50_000))).toBeNull();
    expect(r.find('GET', '/a'.repeat(3) + '/end')).toEqual({
      value: 'GET /:p0/:p1/:p2/end',
      params: { p0: 'a', p1: 'a', p2: 'a' },
    });
  });
  it('reject a regex parameter value longer than maxParamLength without running the regex', () => {
    const r = build([['GET', '/:x([a-z]+\\d*[a-z]*)']]);
    expect(r.find('GET', '/' + 'a'.repeat(100_000) + '!')).toBeNull();
  });
});

describe('static fast path and tree agree', () => {
  it('params of a static match are shared and frozen, so one lookup cannot change the next', () => {
    const r = build([['GET', '/s']]);
    const first = r.find('GET', '/s');
    expect(() => {
      if (first !== null) first.params.mutated = 'yes';
    }).toThrow(TypeError);
    expect(r.find('GET', '/s')?.params).toEqual({});
  });
  it('shares static prefixes and splits compressed labels', () => {
    const r = build([
      ['GET', '/api/v1/users/list'],
      ['GET', '/api/v1/users/:id'],
      ['GET', '/api/v2/users'],
      ['GET', '/api/:version/health'],
      ['GET', '/api'],
    ]);
    expect(r.find('GET', '/api/v1/users/list')?.value).toBe('GET /api/v1/users/list');
    expect(r.find('GET', '/api/v1/users/9')?.params).toEqual({ id: '9' });
    expect(r.find('GET', '/api/v2/users')?.value).toBe('GET /api/v2/users');
    expect(r.find('GET', '/api/v1/health')?.params).toEqual({ version: 'v1' });
    expect(r.find('GET', '/api/v2/health')?.params).toEqual({ version: 'v2' });
    expect(r.find('GET', '/api')?.value).toBe('GET /api');
    expect(r.find('GET', '/api/v1')).toBeNull();
  });
  it('indexes many static children by first character', () => {
    const words = Array.from({ length: 40 }, (_, k) => `${String.fromCharCode(97 + (k % 26))}w${k}`);
    const routes: Array<[string, string]> = words.map((w) => ['GET', `/${w}/:id`]);
    routes.push(['GET', '/:any/:id']);
    const r = build(routes);
    for (const w of words) expect(r.find('GET', `/${w}/1`)?.value).toBe(`GET /${w}/:id`);
    expect(r.find('GET', '/zz/1')?.value).toBe('GET /:any/:id');
    expect(r.find('GET', '/aw0x/1')?.value).toBe('GET /:any/:id');
  });
});

describe('routes()', () => {
  it('lists every route in registration order, as copies', () => {
    const r = new Router<number>();
    r.add('GET', '/b', 1);
    r.add('POST', '/a/:id', 2);
    r.add('ALL', '/*', 3);
    expect(r.routes()).toEqual([
      { method: 'GET', path: '/b', value: 1 },
      { method: 'POST', path: '/a/:id', value: 2 },
      { method: 'ALL', path: '/*', value: 3 },
    ]);
    const list = r.routes();
    list.pop();
    expect(r.routes()).toHaveLength(3);
  });
});
