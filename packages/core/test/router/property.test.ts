import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Router, RouterError } from '../../src/router/radix.ts';

/**
 * Compares the router with a naive reference matcher on random route tables and paths: the
 * reference enumerates every route of the method, keeps those that match segment by segment, and
 * picks the best by comparing segment kinds left to right (static < regex < param < wildcard, a
 * pattern that ends beats a wildcard matching nothing), an exact method beating 'ALL'.
 */

type RefSegment =
  | { kind: 'static'; text: string }
  | { kind: 'regex'; name: string; regex: RegExp; source: string }
  | { kind: 'param'; name: string }
  | { kind: 'wildcard' };

interface RefRoute {
  method: string;
  path: string;
  segments: RefSegment[];
}

const MAX_PARAM_LENGTH = 100;
const COMMON = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];
const RANK = { static: 0, regex: 1, param: 2, wildcard: 3 } as const;

type Token = 'a' | 'b' | 'ab' | '' | ':p' | ':p(\\d+)';

function toPattern(tokens: readonly Token[], wildcard: boolean): string {
  const parts = tokens.map((token, k) => (token.startsWith(':p') ? token.replace(':p', `:p${k}`) : token));
  if (wildcard) parts.push('*');
  return '/' + parts.join('/');
}

function toSegments(tokens: readonly Token[], wildcard: boolean, ignoreTrailingSlash: boolean): RefSegment[] {
  const segments: RefSegment[] = tokens.map((token, k): RefSegment => {
    if (token === ':p') return { kind: 'param', name: `p${k}` };
    if (token === ':p(\\d+)') return { kind: 'regex', name: `p${k}`, regex: /^(?:\d+)$/, source: '\\d+' };
    return { kind: 'static', text: token };
  });
  if (wildcard) segments.push({ kind: 'wildcard' });
  // '/' is one empty static segment.
  if (segments.length === 0) segments.push({ kind: 'static', text: '' });
  const last = segments[segments.length - 1];
  if (ignoreTrailingSlash && segments.length > 1 && last?.kind === 'static' && last.text === '') segments.pop();
  return segments;
}

/** The structure that makes two patterns equivalent (param names do not matter). */
function shape(segments: readonly RefSegment[]): string {
  return JSON.stringify(
    segments.map((s) => (s.kind === 'static' ? `s:${s.text}` : s.kind === 'regex' ? `r:${s.source}` : s.kind)),
  );
}

function tryDecode(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/** Raw parameter values when `route` matches `parts` (the path split on '/'), else null. */
function matchRoute(route: RefRoute, parts: readonly string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let k = 0; k < route.segments.length; k++) {
    const segment = route.segments[k]!;
    if (segment.kind === 'wildcard') {
      params['*'] = parts.slice(k).join('/');
      return params;
    }
    const part = parts[k];
    if (part === undefined) return null;
    if (segment.kind === 'static') {
      if (part !== segment.text) return null;
      continue;
    }
    if (part === '' || part.length > MAX_PARAM_LENGTH) return null;
    if (segment.kind === 'regex') {
      const decoded = tryDecode(part);
      if (decoded === null || !segment.regex.test(decoded)) return null;
    }
    params[segment.name] = part;
  }
  return parts.length === route.segments.length ? params : null;
}

function compare(a: RefRoute, b: RefRoute, method: string): number {
  const n = Math.min(a.segments.length, b.segments.length);
  for (let k = 0; k < n; k++) {
    const diff = RANK[a.segments[k]!.kind] - RANK[b.segments[k]!.kind];
    if (diff !== 0) return diff;
  }
  if (a.segments.length !== b.segments.length) return a.segments.length - b.segments.length;
  return (a.method === method ? 0 : 1) - (b.method === method ? 0 : 1);
}

function normalize(path: string, ignoreTrailingSlash: boolean): string {
  return ignoreTrailingSlash && path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

type Outcome = { value: string; params: Record<string, string> } | null | 'FW_ERR_BAD_PATH';

function referenceFind(routes: readonly RefRoute[], method: string, path: string, ignore: boolean): Outcome {
  const parts = normalize(path, ignore).slice(1).split('/');
  let best: { route: RefRoute; params: Record<string, string> } | null = null;
  for (const route of routes) {
    if (route.method !== method && route.method !== 'ALL') continue;
    const params = matchRoute(route, parts);
    if (params !== null && (best === null || compare(route, best.route, method) < 0)) best = { route, params };
  }
  if (best === null) return null;
  const decoded: Record<string, string> = {};
  for (const [name, raw] of Object.entries(best.params)) {
    const value = tryDecode(raw);
    if (value === null) return 'FW_ERR_BAD_PATH';
    decoded[name] = value;
  }
  return { value: `${best.route.method} ${best.route.path}`, params: decoded };
}

function referenceAllowed(routes: readonly RefRoute[], path: string, ignore: boolean): string[] {
  const parts = normalize(path, ignore).slice(1).split('/');
  const methods = new Set<string>();
  for (const route of routes) if (matchRoute(route, parts) !== null) methods.add(route.method);
  if (methods.delete('ALL')) for (const method of COMMON) methods.add(method);
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}

function actualFind(router: Router<string>, method: string, path: string): Outcome {
  try {
    return router.find(method, path);
  } catch (error) {
    if (error instanceof RouterError && error.code === 'FW_ERR_BAD_PATH') return 'FW_ERR_BAD_PATH';
    throw error;
  }
}

const token = fc.constantFrom<Token>('a', 'b', 'ab', '', ':p', ':p(\\d+)', 'a', ':p');
const routeArb = fc.record({
  method: fc.constantFrom('GET', 'POST', 'ALL'),
  tokens: fc.array(token, { maxLength: 4 }),
  wildcard: fc.boolean(),
});
const pathPart = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom('a', 'b', 'ab', '', '1', '12', 'x%2Fy', '%61', '%31', '%', '%zz', '%E0%A4%A'),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom('a'.repeat(100), '1'.repeat(101)) },
);
const pathArb = fc.array(pathPart, { maxLength: 6 }).map((parts) => '/' + parts.join('/'));
const requestArb = fc.record({ method: fc.constantFrom('GET', 'POST', 'PUT'), path: pathArb });

describe('find and allowed agree with a naive reference matcher', () => {
  it('on random route tables and paths', () => {
    fc.assert(
      fc.property(
        fc.array(routeArb, { minLength: 1, maxLength: 12 }),
        fc.array(requestArb, { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (table, requests, ignoreTrailingSlash) => {
          const router = new Router<string>({ ignoreTrailingSlash });
          const routes: RefRoute[] = [];
          for (const { method, tokens, wildcard } of table) {
            const path = toPattern(tokens, wildcard);
            const segments = toSegments(tokens, wildcard, ignoreTrailingSlash);
            const conflict = routes.some((r) => r.method === method && shape(r.segments) === shape(segments));
            let code: string | null = null;
            try {
              router.add(method, path, `${method} ${path}`);
            } catch (error) {
              code = error instanceof RouterError ? error.code : 'unexpected';
            }
            // A conflicting route is skipped (the reference does not register it either).
            expect(code).toBe(conflict ? 'FW_ERR_ROUTE_CONFLICT' : null);
            if (!conflict) routes.push({ method, path, segments });
          }
          for (const { method, path } of requests) {
            expect(actualFind(router, method, path)).toEqual(referenceFind(routes, method, path, ignoreTrailingSlash));
            expect(router.allowed(path)).toEqual(referenceAllowed(routes, path, ignoreTrailingSlash));
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('on paths built from the routes themselves', () => {
    // Paths made by filling each route's parameters, so that most lookups match something.
    const filled = fc
      .tuple(fc.array(routeArb, { minLength: 1, maxLength: 10 }), fc.array(fc.nat(), { minLength: 8, maxLength: 8 }))
      .map(([table, picks]) => {
        const fillers = ['a', 'b', '12', 'x', '%31', 'ab'];
        const paths = picks.map((pick, n) => {
          const route = table[pick % table.length]!;
          const parts = route.tokens.map((t, k) =>
            t.startsWith(':p') ? fillers[(pick + k + n) % fillers.length]! : t,
          );
          if (route.wildcard) parts.push(...['', 'q', 'q/r'].slice(pick % 3, (pick % 3) + 1));
          return '/' + parts.join('/');
        });
        return { table, paths };
      });
    fc.assert(
      fc.property(filled, fc.boolean(), ({ table, paths }, ignoreTrailingSlash) => {
        const router = new Router<string>({ ignoreTrailingSlash });
        const routes: RefRoute[] = [];
        for (const { method, tokens, wildcard } of table) {
          const path = toPattern(tokens, wildcard);
          const segments = toSegments(tokens, wildcard, ignoreTrailingSlash);
          if (routes.some((r) => r.method === method && shape(r.segments) === shape(segments))) continue;
          router.add(method, path, `${method} ${path}`);
          routes.push({ method, path, segments });
        }
        for (const path of paths) {
          for (const method of ['GET', 'POST', 'PUT']) {
            expect(actualFind(router, method, path)).toEqual(referenceFind(routes, method, path, ignoreTrailingSlash));
          }
          expect(router.allowed(path)).toEqual(referenceAllowed(routes, path, ignoreTrailingSlash));
        }
      }),
      { numRuns: 1000 },
    );
  });
});
