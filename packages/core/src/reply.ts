import { Readable } from 'node:stream';

/**
 * What a streamed response can be made from.
 *
 * @example
 * ```ts
 * async function* ticks() {
 *   for (let i = 0; i < 3; i++) yield `tick ${i}\n`;
 * }
 * app.get('/ticks', (ctx) => ctx.stream(ticks(), { type: 'text/plain' }));
 * ```
 */
export type StreamSource =
  | AsyncIterable<string | Uint8Array>
  | Iterable<string | Uint8Array>
  | NodeJS.ReadableStream
  | ReadableStream<Uint8Array>;

/**
 * The body of a `Reply`.
 *
 * @example
 * ```ts
 * app.use(async (ctx, next) => {
 *   const reply = await next();
 *   if (typeof reply.body === 'string') reply.headers.etag = `"${hash(reply.body)}"`;
 *   return reply;
 * });
 * ```
 */
export type ReplyBody = string | Uint8Array | null | StreamSource;

/**
 * Response header values, keyed by lower-case name. `set-cookie` may hold several values.
 *
 * @example
 * ```ts
 * app.use(async (ctx, next) => {
 *   const reply = await next();
 *   reply.headers['x-frame-options'] = 'DENY';
 *   return reply;
 * });
 * ```
 */
export type ReplyHeaders = Record<string, string | string[]>;

const REPLY = Symbol.for('@framework/core/reply');

/**
 * A response, as built by `ctx.json()`, `ctx.text()`, `ctx.html()`, `ctx.stream()` and
 * `ctx.redirect()`, and as a middleware sees it from `await next()`: status, headers and body can
 * still be changed there.
 *
 * @example
 * ```ts
 * app.use(async (ctx, next) => {
 *   const started = performance.now();
 *   const reply = await next();
 *   reply.headers['server-timing'] = `app;dur=${(performance.now() - started).toFixed(1)}`;
 *   return reply;
 * });
 * ```
 */
export class Reply {
  status: number;
  headers: ReplyHeaders;
  body: ReplyBody;

  constructor(status: number, headers: ReplyHeaders, body: ReplyBody) {
    this.status = status;
    this.headers = headers;
    this.body = body;
  }
}
Object.defineProperty(Reply.prototype, REPLY, { value: true });

/**
 * True when `value` is a `Reply` from any copy of @framework/core.
 *
 * @example
 * ```ts
 * const result = await next();
 * if (isReply(result)) result.headers['x-handled'] = '1';
 * ```
 */
export function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && (value as { [REPLY]?: unknown })[REPLY] === true;
}

export const JSON_TYPE = 'application/json; charset=utf-8';
export const TEXT_TYPE = 'text/plain; charset=utf-8';
export const HTML_TYPE = 'text/html; charset=utf-8';
export const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';
const BINARY_TYPE = 'application/octet-stream';

export function jsonReply(data: unknown, status: number): Reply {
  const body = JSON.stringify(data);
  return new Reply(status, { 'content-type': JSON_TYPE }, body === undefined ? 'null' : body);
}

function isStreamSource(value: object): value is StreamSource {
  return (
    value instanceof Readable ||
    (typeof ReadableStream !== 'undefined' && value instanceof ReadableStream) ||
    Symbol.asyncIterator in value
  );
}

/**
 * Turns what a handler returned into a `Reply`: a `Reply` as it is, a Web `Response` copied, a
 * string as text, bytes as binary, a stream or async iterable streamed, `undefined` as 204, and
 * anything else as JSON.
 */
export function toReply(value: unknown, status: number): Reply | Promise<Reply> {
  if (value === undefined) return new Reply(status === 200 ? 204 : status, {}, null);
  if (typeof value === 'string') return new Reply(status, { 'content-type': TEXT_TYPE }, value);
  if (typeof value !== 'object' || value === null) return jsonReply(value, status);
  if (isReply(value)) return value;
  if (typeof Response !== 'undefined' && value instanceof Response) return fromWebResponse(value);
  if (value instanceof Uint8Array) return new Reply(status, { 'content-type': BINARY_TYPE }, value);
  if (isStreamSource(value)) return new Reply(status, { 'content-type': BINARY_TYPE }, value);
  return jsonReply(value, status);
}

function fromWebResponse(response: Response): Reply {
  const headers: ReplyHeaders = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  return new Reply(response.status, headers, response.body);
}

/** Adds the headers set through `ctx.header()` and `ctx.cookies.set()` to a reply; those win, cookies add up. */
export function mergeHeaders(reply: Reply, extra: ReplyHeaders): void {
  const headers = reply.headers;
  for (const name in extra) {
    const value = extra[name]!;
    if (name === 'set-cookie') {
      const existing = headers['set-cookie'];
      const added = Array.isArray(value) ? value : [value];
      headers['set-cookie'] =
        existing === undefined ? added : (Array.isArray(existing) ? existing : [existing]).concat(added);
    } else {
      headers[name] = value;
    }
  }
}
