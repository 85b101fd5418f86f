import { type Duration, parseDuration } from '../duration.ts';
import { FrameworkError } from '../errors.ts';

/**
 * A limit for the requests matching one route pattern; `false` exempts them from limiting.
 *
 * @example
 * ```ts
 * const login: RouteLimit = { max: 5, window: '15m' };
 * ```
 */
export type RouteLimit = { max?: number; window?: Duration } | false;

/**
 * A counter scope: the global limit or one route pattern's.
 *
 * @example
 * ```ts
 * const global: Bucket = { id: '*', max: 100, windowMs: 900_000 };
 * ```
 */
export interface Bucket {
  readonly id: string;
  readonly max: number;
  readonly windowMs: number;
}

/**
 * A compiled route pattern.
 *
 * @example
 * ```ts
 * const [login] = compileRoutes({ 'POST /api/login': { max: 5 } }, global); // { method: 'POST', path: '/api/login', ... }
 * ```
 */
export interface RoutePattern {
  readonly method: string;
  readonly path: string;
  readonly wildcard: boolean;
  readonly bucket: Bucket | false;
}

const PATTERN = /^(\*|[A-Z]+)\s+(\/\S*)$/;

/**
 * Checks a request count option.
 *
 * @example
 * ```ts
 * positiveInteger(options.max ?? 100, 'max'); // throws FW_ERR_INVALID_OPTION for 0, -1 or 1.5
 * ```
 */
export function positiveInteger(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new FrameworkError(
      'FW_ERR_INVALID_OPTION',
      `rateLimit ${option} must be a positive integer (requests per window), got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

/**
 * Compiles `routes` patterns, most specific first; throws a `FrameworkError` on a malformed one.
 *
 * @example
 * ```ts
 * const routes = compileRoutes({ 'GET /api/*': { max: 1000 }, 'GET /health': false }, global);
 * ```
 */
export function compileRoutes(routes: Record<string, RouteLimit>, global: Bucket): RoutePattern[] {
  const compiled: RoutePattern[] = [];
  for (const [pattern, limit] of Object.entries(routes)) {
    const match = PATTERN.exec(pattern.trim());
    const star = match === null ? -1 : match[2]!.indexOf('*');
    if (match === null || (star !== -1 && star !== match[2]!.length - 1)) {
      throw new FrameworkError(
        'FW_ERR_INVALID_OPTION',
        `rateLimit route pattern ${JSON.stringify(pattern)} is not "METHOD /path": use e.g. 'POST /api/login', 'GET /api/*' or '* /admin/*' (a * only at the end).`,
      );
    }
    const wildcard = match[2]!.endsWith('*');
    const path = wildcard ? match[2]!.slice(0, -1) : normalizePath(match[2]!);
    const bucket: Bucket | false =
      limit === false
        ? false
        : {
            id: `${match[1]} ${match[2]}`,
            max: positiveInteger(limit.max ?? global.max, `routes['${pattern}'].max`),
            windowMs: parseDuration(limit.window ?? global.windowMs, `rateLimit routes['${pattern}'].window`),
          };
    compiled.push({ method: match[1]!, path, wildcard, bucket });
  }
  // Most specific first: exact paths, then longer wildcards, then a named method before `*`.
  const rank = (route: RoutePattern) =>
    (route.wildcard ? 0 : 1_000_000) + route.path.length * 2 + (route.method === '*' ? 0 : 1);
  return compiled.sort((a, b) => rank(b) - rank(a));
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * The path as routes compare it: unreserved percent-escapes decoded, `//` collapsed, no trailing `/`.
 *
 * @example
 * ```ts
 * normalizePath('//api/log%69n/'); // '/api/login'
 * ```
 */
export function normalizePath(path: string): string {
  let result = path;
  if (result.includes('%')) {
    result = result.replace(/%[0-9A-Fa-f]{2}/g, (encoded) => {
      const char = String.fromCharCode(Number.parseInt(encoded.slice(1), 16));
      return UNRESERVED.test(char) ? char : encoded.toUpperCase();
    });
  }
  if (result.includes('//')) result = result.replace(/\/{2,}/g, '/');
  if (result.length > 1 && result.endsWith('/')) result = result.slice(0, -1);
  return result;
}

function matches(route: RoutePattern, method: string, path: string): boolean {
  if (route.method !== '*' && route.method !== method) return false;
  if (!route.wildcard) return path === route.path;
  return path.startsWith(route.path) || (route.path.endsWith('/') && path === route.path.slice(0, -1));
}

/**
 * The bucket a request counts in: the most specific matching pattern's, else the global one.
 *
 * @example
 * ```ts
 * bucketFor(routes, global, 'GET', '/api/users'); // the 'GET /api/*' bucket
 * ```
 */
export function bucketFor(
  routes: readonly RoutePattern[],
  global: Bucket,
  method: string,
  path: string,
): Bucket | false {
  if (routes.length === 0) return global;
  const normalized = normalizePath(path);
  for (const route of routes) if (matches(route, method, normalized)) return route.bucket;
  return global;
}
