import { describe, expect, it } from 'vitest';
import { Router, RouterError } from '../../src/router/radix.ts';

function errorOf(fn: () => unknown): RouterError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RouterError) return error;
    throw error;
  }
  throw new Error('expected a RouterError');
}

describe('conflicts', () => {
  it.each([
    // [first, second]: same method, equivalent pattern
    ['GET /u/:id', 'GET /u/:name'],
    ['GET /u/:id', 'GET /u/:id'],
    ['GET /u/:id(\\d+)', 'GET /u/:n(\\d+)'],
    ['GET /', 'GET /'],
    ['GET /users', 'GET /users'],
    ['GET /files/*', 'GET /files/*'],
    ['GET /*', 'GET /*'],
    ['ALL /x/:a/y', 'ALL /x/:b/y'],
    ['POST /a/:x/b/:y/*', 'POST /a/:p/b/:q/*'],
  ])('%s then %s', (first, second) => {
    const [m1 = '', p1 = ''] = first.split(' ');
    const [m2 = '', p2 = ''] = second.split(' ');
    const r = new Router<number>();
    r.add(m1, p1, 1);
    const error = errorOf(() => r.add(m2, p2, 2));
    expect(error.code).toBe('FW_ERR_ROUTE_CONFLICT');
    expect(error.message).toBe(
      `Route ${second} conflicts with ${first}, registered earlier. ` +
        'Two routes for one method cannot match the same paths; rename one or merge them.',
    );
    // The failed add changed nothing.
    expect(r.routes()).toEqual([{ method: m1, path: p1, value: 1 }]);
  });

  it.each([
    // [first, second]: allowed together
    ['GET /u/:id', 'POST /u/:id'],
    ['GET /u/:id', 'ALL /u/:id'],
    ['ALL /u/:id', 'GET /u/:id'],
    ['GET /u/:id', 'GET /u/:id(\\d+)'],
    ['GET /u/:id(\\d+)', 'GET /u/:id(\\d{2})'],
    ['GET /u/:id', 'GET /u/me'],
    ['GET /u/:id', 'GET /u/*'],
    ['GET /users', 'GET /users/'],
    ['GET /files', 'GET /files/*'],
    ['GET /:a/x', 'GET /x/:a'],
  ])('%s and %s do not conflict', (first, second) => {
    const [m1 = '', p1 = ''] = first.split(' ');
    const [m2 = '', p2 = ''] = second.split(' ');
    const r = new Router<number>();
    r.add(m1, p1, 1);
    expect(() => r.add(m2, p2, 2)).not.toThrow();
  });

  it('a conflicting add leaves the tree untouched', () => {
    const r = new Router<string>();
    r.add('GET', '/a/b/c', 'abc');
    r.add('GET', '/a/:x', 'ax');
    expect(() => r.add('GET', '/a/:y', 'ay')).toThrowError(RouterError);
    expect(r.find('GET', '/a/b/c')?.value).toBe('abc');
    expect(r.find('GET', '/a/q')).toEqual({ value: 'ax', params: { x: 'q' } });
  });
});

describe('invalid patterns', () => {
  it.each([
    ['users', 'must start with "/"; write "/users"'],
    ['', 'must start with "/"'],
    ['/:', 'must be followed by a parameter name'],
    ['/:1a', 'must start with a letter or "_"'],
    ['/:a-b', 'A parameter must be a whole segment'],
    ['/:from-:to', 'use one parameter per segment (e.g. "/:from/:to")'],
    ['/file.:ext', 'use one parameter per segment (e.g. "/file/:ext")'],
    ['/x/pre:id', 'A parameter must be a whole segment'],
    ['/:id.json', 'A parameter must be a whole segment'],
    ['/a/*/b', '"*" is only allowed as the whole last segment'],
    ['/a*', '"*" is only allowed as the whole last segment'],
    ['/*x', '"*" is only allowed as the whole last segment'],
    ['/*/', '"*" is only allowed as the whole last segment'],
    ['/:__proto__', 'is reserved'],
    ['/:constructor', 'is reserved'],
    ['/:prototype/x', 'is reserved'],
    ['/:a/:a', 'appears twice'],
    ['/:a/x/:b/:a', 'appears twice'],
    ['/:id(', 'is not closed'],
    ['/:id([)', 'is not closed'],
    ['/:id(\\)', 'is not closed'],
    ['/:id()', 'empty regular expression'],
    ['/:id(\\d+)x', 'A parameter must be a whole segment'],
    ['/:id(a)(b)', 'A parameter must be a whole segment'],
    ['/:id(a{2,1})', 'is invalid'],
    ['/:id(*)', 'is invalid'],
    ['/x y', '"%20"'],
    ['/café', '"%C3%A9"'],
    ['/a{b}', '"%7B"'],
    ['/a"b', '"%22"'],
    ['/a?', '"?" is not allowed'],
    ['/a#b', '"%23"'],
    ['/%zz', 'not valid percent-encoding'],
    ['/%4', 'not valid percent-encoding'],
  ])('%j', (pattern, hint) => {
    const error = errorOf(() => new Router().add('GET', pattern, 1));
    expect(error.code).toBe('FW_ERR_ROUTE_INVALID');
    expect(error.message).toContain(`Invalid route pattern "${pattern}"`);
    expect(error.message).toContain(hint);
  });

  it.each([['get'], [''], ['G ET'], ['Get'], ['1GET']])('method %j is rejected', (method) => {
    const error = errorOf(() => new Router().add(method, '/x', 1));
    expect(error.code).toBe('FW_ERR_ROUTE_INVALID');
    expect(error.message).toContain('upper-case');
  });

  it.each([
    ['/a%20b'],
    ['/:id([a-z0-9-]+)'],
    ['/:id(\\d{4}-\\d{2}-\\d{2})'],
    ['/:id((?:abc)+)'],
    ['/:id(a|b)'],
    ['/:id((a|b))'],
    ['/:id([(]+)'],
    ['/:id(\\(+)'],
    ['/:id((?<year>\\d{4}))'],
    ['/:id(\\w+\\.\\w+)'],
    ['/:id(x{2,})'],
    ['/:id(a{)'],
    ['/:_private/:A9'],
    ["/a/!$&'()+,;=@~"],
    ['/:id(.*)'],
    ['//'],
    ['/a//b/'],
    ['/*'],
  ])('%j is accepted', (pattern) => {
    expect(() => new Router().add('GET', pattern, 1)).not.toThrow();
  });
});

describe('unsafe regular expressions', () => {
  it.each([
    ['(a+)+', 'quantified group contains a quantifier'],
    ['(\\w*)*', 'quantified group contains a quantifier'],
    ['(a|aa)+', 'quantified group contains a quantifier or an alternation'],
    ['(?:a+){2}', 'quantified group contains a quantifier'],
    ['(a*)?', 'quantified group contains a quantifier'],
    ['((ab)+c)*', 'quantified group contains a quantifier'],
    ['(?:x(?:a|b))+', 'quantified group contains a quantifier or an alternation'],
    ['([a-z]+)*', 'quantified group contains a quantifier'],
    ['(.*)\\1', 'backreferences'],
    ['(?<x>a)\\k<x>', 'backreferences'],
    ['(?=a)a', 'lookaheads'],
    ['(?!a)b', 'lookaheads'],
    ['(?<=a)b', 'lookbehinds'],
    ['(?<!a)b', 'lookbehinds'],
    ['\\d*\\d*\\d*\\d*', 'variable quantifiers'],
    ['a?a?a?a?aaaa', 'variable quantifiers'],
  ])('%s is rejected', (regex, hint) => {
    const pattern = `/r/:id(${regex})`;
    const error = errorOf(() => new Router().add('GET', pattern, 1));
    expect(error.code).toBe('FW_ERR_ROUTE_INVALID');
    expect(error.message).toContain('is unsafe');
    expect(error.message).toContain(hint);
  });
});
