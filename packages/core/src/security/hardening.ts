/**
 * Request hardening that core applies before routing and in its helpers: the URL length limit,
 * request paths a file server and the router could read differently, query and form limits, keys
 * that could pollute prototypes, and redirect targets that would send users to another site.
 */
import { HttpError } from '../errors.ts';

/**
 * Limits on query strings and urlencoded bodies (`createApp({ query })`). They are enforced while
 * parsing, so a huge query costs no more than the limit.
 *
 * @example
 * ```ts
 * // A search page that takes many repeated filters: raise the array limit, keep the rest.
 * createApp({ query: { maxArrayLength: 500 } });
 * ```
 */
export interface QueryLimits {
  /** Most `key=value` pairs in one query string or form; more is a 400. Default 1000. */
  maxParams: number;
  /** Most values one repeated key may collect (`?id=1&id=2...`); more is a 400. Default 100. */
  maxArrayLength: number;
  /**
   * Drop keys that name `__proto__`, `constructor` or `prototype` (alone or as a bracket or dot
   * segment, `__proto__[x]`, `a.constructor`), so nothing that later merges or path-sets the
   * parsed object can reach a prototype. Default true.
   */
  dropPrototypeKeys: boolean;
}

/**
 * The default query and form limits.
 *
 * @example
 * ```ts
 * createApp({ query: { maxParams: DEFAULT_QUERY_LIMITS.maxParams * 2 } });
 * ```
 */
export const DEFAULT_QUERY_LIMITS: Readonly<QueryLimits> = Object.freeze({
  maxParams: 1000,
  maxArrayLength: 100,
  dropPrototypeKeys: true,
});

const PROTO_WORDS = /__proto__|constructor|prototype/;
const KEY_SEGMENTS = /[[\].]/;
const PROTO_SEGMENT = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * True when a query or form key names `__proto__`, `constructor` or `prototype`, alone or as one of
 * its bracket or dot segments.
 *
 * @example
 * ```ts
 * isPrototypeKey('__proto__[polluted]'); // true
 * isPrototypeKey('constructorName');     // false
 * ```
 */
export function isPrototypeKey(key: string): boolean {
  if (!PROTO_WORDS.test(key)) return false;
  if (PROTO_SEGMENT.has(key)) return true;
  for (const segment of key.split(KEY_SEGMENTS)) if (PROTO_SEGMENT.has(segment)) return true;
  return false;
}

/**
 * The 414 for a request target over `limit` characters.
 *
 * @example
 * ```ts
 * if (target.length > limits.maxUrlLength) throw uriTooLong(limits.maxUrlLength);
 * ```
 */
export function uriTooLong(limit: number): HttpError {
  return new HttpError(414, `The request URL is longer than ${limit} characters; send the data in a body instead.`, {
    code: 'FW_ERR_URI_TOO_LONG',
  });
}

// A path needs a closer look only when it has a percent sign, a backslash, `//` or a segment that starts with a dot.
const SUSPECT_PATH = /[%\\]|\/\/|\/\./;
// RFC 3986 §2.3 unreserved characters: their percent-encoded and plain forms are the same URI (§6.2.2.2).
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const ENCODED = /%([0-9A-Fa-f]{2})/g;
// What a file server may treat as a separator or a dot once it decodes a segment: %2F, %5C and \.
const SEPARATORS = /%2f|%5c|\\/gi;

function ambiguous(reason: string): HttpError {
  return new HttpError(
    400,
    `The request path ${reason}; send the path a browser would send (resolved, with no "." or ".." segments).`,
    { code: 'FW_ERR_AMBIGUOUS_PATH' },
  );
}

/**
 * Returns the path the router should see, or throws a 400 for a path that a router and a file
 * server could read differently:
 * - percent-encoded unreserved characters are decoded (`/%61dmin` is `/admin`, as RFC 3986 says);
 * - `.` and `..` segments are refused, also when encoded (`%2e%2e`) or next to an encoded slash or a
 *   backslash (`..%2f`, `..\`), which a file server would resolve and the router would not;
 * - empty segments (`//admin`), raw backslashes and encoded NUL (`%00`) are refused.
 * An encoded slash elsewhere (`/files/a%2Fb`) stays encoded and never splits a segment.
 *
 * @example
 * ```ts
 * normalizeRequestPath('/%61dmin/users'); // '/admin/users'
 * normalizeRequestPath('/public/../admin'); // throws HttpError 400 FW_ERR_AMBIGUOUS_PATH
 * ```
 */
export function normalizeRequestPath(path: string): string {
  if (!SUSPECT_PATH.test(path)) return path;
  if (path.includes('\\')) throw ambiguous('contains a backslash');
  let normalized = path;
  if (path.includes('%')) {
    normalized = path.replace(ENCODED, (match, hex: string) => {
      const char = String.fromCharCode(Number.parseInt(hex, 16));
      if (char === '\u0000') throw ambiguous('contains an encoded NUL (%00)');
      return UNRESERVED.test(char) ? char : match;
    });
  }
  // Every segment as a file server that decodes %2F and %5C, and splits on \, would see it.
  const view = normalized.replace(SEPARATORS, '/');
  const segments = view.split('/');
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i];
    if (segment === '.' || segment === '..') throw ambiguous('contains a "." or ".." segment');
    if (segment === '' && i < segments.length - 1) throw ambiguous('contains an empty segment ("//")');
  }
  return normalized;
}

/**
 * Options for `ctx.redirect()`.
 *
 * @example
 * ```ts
 * // The target is the app's own constant, not user data: let it leave the site.
 * return ctx.redirect('https://accounts.example.com/authorize?client_id=app', { allowExternal: true });
 * ```
 */
export interface RedirectOptions {
  /**
   * Allow an absolute `http:`/`https:` URL on another host. Only for targets the app chose itself;
   * never for a `?next=` value from the request. Other schemes (`javascript:`, `data:`) stay refused.
   */
  allowExternal?: boolean;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters in a Location value would split the header.
const CONTROL = /[\u0000-\u001f\u007f]/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

function unsafeRedirect(reason: string): HttpError {
  return new HttpError(
    400,
    `Refused to redirect: the target ${reason}. Redirect to a path on this site ("/account"); for another site the app chose ` +
      'itself, pass { allowExternal: true } or list its host in createApp({ redirect: { allowedHosts } }).',
    { code: 'FW_ERR_UNSAFE_REDIRECT' },
  );
}

/** Why `target` would leave the site (or is unusable), or undefined when it stays on it. */
function offSite(
  target: string,
  ownHost: () => string,
  allowedHosts: readonly string[],
  allowExternal: boolean,
): string | undefined {
  if (CONTROL.test(target)) return 'contains a control character';
  // Browsers read "\" as "/" in http(s) URLs, so "/\evil.com" is "//evil.com".
  const slashed = target.replace(/\\/g, '/');
  if (/^\s/.test(slashed)) return 'starts with whitespace';
  const scheme = SCHEME.exec(slashed)?.[1]?.toLowerCase();
  if (scheme === undefined && !slashed.startsWith('//')) return undefined;
  if (scheme !== undefined) {
    if (scheme !== 'http' && scheme !== 'https') return `uses the ${scheme}: scheme`;
    // "https:evil.com" has no "//": browsers resolve it differently depending on the current page.
    if (!slashed.startsWith('//', scheme.length + 1)) return `has "${scheme}:" without "//"`;
  }
  let url: URL;
  try {
    url = new URL(slashed, 'http://0.0.0.0');
  } catch {
    return 'is not a valid URL';
  }
  if (url.host === ownHost() || allowExternal || allowedHosts.includes(url.hostname.toLowerCase())) return undefined;
  return `points to another host (${url.host})`;
}

/**
 * Throws a 400 `HttpError` unless a redirect to `target` stays on this site (a path, a relative
 * reference, or an absolute URL on the request's own host or an allowed host). Percent-encoded
 * tricks (`%2F%2Fevil.com`) are checked in their decoded form too.
 *
 * @example
 * ```ts
 * checkRedirectTarget('/account', () => 'shop.example', []);      // fine
 * checkRedirectTarget('//evil.com', () => 'shop.example', []);    // throws 400 FW_ERR_UNSAFE_REDIRECT
 * ```
 */
export function checkRedirectTarget(
  target: string,
  ownHost: () => string,
  allowedHosts: readonly string[],
  options: RedirectOptions = {},
): void {
  if (CONTROL.test(target)) {
    throw new HttpError(400, 'Refused to redirect: the target contains CR, LF or another control character.', {
      code: 'FW_ERR_INVALID_REDIRECT',
    });
  }
  const allowExternal = options.allowExternal === true;
  let reason = offSite(target, ownHost, allowedHosts, allowExternal);
  if (reason === undefined && target.includes('%')) {
    let decoded: string | undefined;
    try {
      decoded = decodeURIComponent(target);
    } catch {
      decoded = undefined;
    }
    if (decoded !== undefined && decoded !== target) {
      const hidden = offSite(decoded, ownHost, allowedHosts, allowExternal);
      if (hidden !== undefined) reason = `${hidden} once percent-decoded`;
    }
  }
  if (reason !== undefined) throw unsafeRedirect(reason);
}
