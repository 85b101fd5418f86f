import type { HttpRequest } from 'uWebSockets.js';

/** Request headers as the app sees them: lower-case names, repeated ones joined as node:http joins them. */
export type UwsHeaders = Record<string, string | string[] | undefined>;

/** Where `copyHeaders` records what it counted and found. */
export interface HeaderStats {
  /** Number of header lines. */
  headerCount: number;
  /** Size of the request line and headers in bytes. */
  headerBytes: number;
  /** Why the framing of the request cannot be trusted, if it cannot. */
  framingError: string | undefined;
}

// As node:http matches it.
export const CLOSE = /(?:^|[\s,])close(?:$|[\s,])/i;
// node:http keeps the first of these when a request repeats them and joins the others with ", ".
const SINGLE_VALUE = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

export const EMPTY_HEADERS: UwsHeaders = Object.freeze(Object.create(null));

/**
 * Request headers: objects whose prototype has no prototype, so `__proto__` or `constructor` are
 * plain own keys (no prototype pollution), and which V8 keeps in fast mode, unlike
 * `Object.create(null)` objects.
 */
const HeaderBag = function HeaderBag() {} as unknown as new () => UwsHeaders;
HeaderBag.prototype = Object.create(null);

/**
 * Copies every header of `req` at once (uWS invalidates `req` when its handler returns) and records
 * in `stats` their count and size, request line included, and whether the framing can be trusted:
 * this uWS build enforces no header size limit of its own, so the sizes must be counted here, and
 * the framing checked the way node's parser does.
 */
export function copyHeaders(req: HttpRequest, requestLine: number, stats: HeaderStats): UwsHeaders {
  const headers = new HeaderBag();
  let count = 0;
  let bytes = requestLine;
  let lengths = 0;
  let encodings = 0;
  req.forEach((name, value) => {
    count++;
    bytes += name.length + value.length + 4;
    if (name === 'content-length') lengths++;
    else if (name === 'transfer-encoding') encodings++;
    const existing = headers[name];
    if (existing === undefined) headers[name] = name === 'set-cookie' ? [value] : value;
    else if (Array.isArray(existing)) existing.push(value);
    else if (name === 'cookie') headers[name] = `${existing}; ${value}`;
    else if (!SINGLE_VALUE.has(name)) headers[name] = `${existing}, ${value}`;
  });
  stats.headerCount = count;
  stats.headerBytes = bytes + 2;
  const length = headers['content-length'];
  const encoding = headers['transfer-encoding'];
  // uWS frames the body by the first Content-Length and by "chunked" alone; anything node's
  // parser would refuse (RFC 9112 §6.3: repeated or invalid lengths, both headers, other codings)
  // is answered 400 and the connection closed, since uWS may have framed it differently.
  stats.framingError =
    lengths > 1
      ? 'repeated Content-Length'
      : typeof length === 'string' && !/^\d+$/.test(length)
        ? 'invalid Content-Length'
        : encodings > 1 || (typeof encoding === 'string' && encoding.toLowerCase() !== 'chunked')
          ? 'unsupported Transfer-Encoding'
          : lengths > 0 && encodings > 0
            ? 'both Content-Length and Transfer-Encoding'
            : undefined;
  return headers;
}
