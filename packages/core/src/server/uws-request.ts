import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { STATUS_CODES } from 'node:http';
import { bodyTooLarge } from '../body.ts';
import { FrameworkError, HttpError } from '../errors.ts';
import type { Reply, StreamSource } from '../reply.ts';
import { securityFor } from '../security/headers.ts';
import { discard, iterate } from './shared.ts';
import type { DriverHost, ServerRequest } from './types.ts';

/** What every request of one uWS server shares. */
export interface UwsServerState {
  readonly core: DriverHost;
  /** Set once `close()` began: new requests get a 503, replies close their connection. */
  closing: boolean;
  /** Called when a request outlives its uWS handler (in flight, for graceful shutdown). */
  track(request: UwsRequest): void;
  /** Called once per tracked request when its response is complete or the client is gone. */
  settled(request: UwsRequest): void;
}

// RFC 9110 §5.1 token, and the field-value bytes node:http accepts (no CR, LF, NUL or other CTLs).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const NON_ASCII = /[\x80-\xff]/;
// As node:http matches it.
const CONTINUE = /(?:^|\W)100-continue(?:$|\W)/i;
const CLOSE = /(?:^|[\s,])close(?:$|[\s,])/i;
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

const EMPTY_HEADERS: Record<string, string | string[] | undefined> = Object.freeze(Object.create(null));

/**
 * Request headers: objects whose prototype has no prototype, so `__proto__` or `constructor` are
 * plain own keys (no prototype pollution), and which V8 keeps in fast mode, unlike
 * `Object.create(null)` objects.
 */
const HeaderBag = function HeaderBag() {} as unknown as new () => Record<string, string | string[] | undefined>;
HeaderBag.prototype = Object.create(null);

type BodyState = 'receiving' | 'complete' | 'tooLarge' | 'aborted' | 'timedOut';

type Writer = (offset: number) => boolean;

const STATUS_LINES = new Map<number, string>();

function statusLine(status: number): string {
  let line = STATUS_LINES.get(status);
  if (line === undefined) {
    line = `${status} ${STATUS_CODES[status] ?? 'Unknown'}`;
    if (STATUS_LINES.size < 1000) STATUS_LINES.set(status, line);
  }
  return line;
}

/** uWS gives IPv6 addresses uncompressed; node:http gives `::1` and `::ffff:127.0.0.1`. */
export function formatAddress(raw: ArrayBuffer): string {
  const text = Buffer.from(raw).toString('latin1');
  if (!text.includes(':')) return text;
  const groups = text.split(':');
  if (groups.length === 8 && groups.slice(0, 5).every((group) => /^0+$/.test(group)) && groups[5] === 'ffff') {
    const high = Number.parseInt(groups[6]!, 16);
    const low = Number.parseInt(groups[7]!, 16);
    return `::ffff:${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return text;
  }
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  return Buffer.from(typeof chunk === 'string' ? chunk : String(chunk));
}

/**
 * One request on the uWebSockets.js driver: the driver contract for the app, and the writer of
 * its reply. uWS invalidates `res` once it has ended or the client went away, and touching it
 * then throws (uNetworking/uWebSockets.js#1296), so every write checks `done` first.
 */
export class UwsRequest implements ServerRequest {
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly secure = false;
  readonly hasBody: boolean;
  readonly contentLength: number;
  /** Number of header lines and their size in bytes, request line included (0 until copied). */
  headerCount = 0;
  headerBytes = 0;
  /** Why the framing of this request cannot be trusted (answered 400 and closed), if it cannot. */
  framingError: string | undefined;
  readonly expectsContinue: boolean;
  /** Whether the request has a Host header. */
  readonly hasHost: boolean;
  /** Whether the client asked to close the connection after this request (`Connection: close`). */
  readonly clientCloses: boolean;
  /** True once the response is complete or the client is gone: `res` must not be touched. */
  done = false;
  aborted = false;
  private readonly res: HttpResponse;
  private readonly state: UwsServerState;
  private copiedHeaders: Record<string, string | string[] | undefined> = EMPTY_HEADERS;
  private watching = false;
  private formattedIp: string | undefined;
  private abortListeners: Array<() => void> | undefined;
  private body: BodyState = 'receiving';
  private chunks: Buffer[] = [];
  private received = 0;
  private bufferLimit = 0;
  private bodyWaiter:
    | { limit: number; resolve: (body: Uint8Array) => void; reject: (error: unknown) => void }
    | undefined;
  private bodyTimer: NodeJS.Timeout | undefined;
  /** Set while `stream()` consumes the body: wakes it when a chunk arrives or the body ends. */
  private streamWake: (() => void) | undefined;
  private streamLimit: number | undefined;
  private writer: Writer | undefined;
  private writableRegistered = false;
  private wake: (() => void) | undefined;
  /** Whether an `onData` handler is set (uWS needs one to read past a body). */
  private reading = false;
  /** Set once a reply that closes the connection waits for the next turn of the event loop. */
  private closeHeld = false;

  constructor(res: HttpResponse, req: HttpRequest, state: UwsServerState) {
    this.res = res;
    this.state = state;
    this.method = req.getCaseSensitiveMethod();
    this.path = req.getUrl();
    // This build returns undefined, not '', when the target has no query.
    const query: string | undefined = req.getQuery();
    this.url = query ? `${this.path}?${query}` : this.path;
    // All headers are copied at once: this build enforces no header size limit of its own, so the
    // sizes must be counted (HP-05), and the framing checked the way node's parser does.
    const headers = this.copyHeaders(req);
    const length = headers['content-length'];
    const encoding = headers['transfer-encoding'];
    this.contentLength = typeof length === 'string' ? Number(length) : -1;
    this.hasBody = this.contentLength > 0 || encoding !== undefined;
    const expect = headers.expect;
    this.expectsContinue = typeof expect === 'string' && CONTINUE.test(expect);
    this.hasHost = headers.host !== undefined;
    const connection = headers.connection;
    this.clientCloses = typeof connection === 'string' && CLOSE.test(connection);
  }

  /** Request headers with lower-case names, repeated ones joined as node:http joins them. */
  get headers(): Record<string, string | string[] | undefined> {
    return this.copiedHeaders;
  }

  private copyHeaders(req: HttpRequest): Record<string, string | string[] | undefined> {
    const headers = new HeaderBag();
    let count = 0;
    let bytes = this.method.length + this.url.length + 12;
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
    this.copiedHeaders = headers;
    this.headerCount = count;
    this.headerBytes = bytes + 2;
    const length = headers['content-length'];
    const encoding = headers['transfer-encoding'];
    // uWS frames the body by the first Content-Length and by "chunked" alone; anything node's
    // parser would refuse (RFC 9112 §6.3: repeated or invalid lengths, both headers, other codings)
    // is answered 400 and the connection closed, since uWS may have framed it differently.
    this.framingError =
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

  /**
   * Registers `onAborted` once, unless the response is already complete: called before the request
   * outlives the uWS handler (an async reply, a body to read, a stream). uWS requires it of any
   * handler that returns without having answered (it terminates the process otherwise,
   * uNetworking/uWebSockets.js#1296). An abort can only be delivered once control is back in uWS,
   * so registering before returning misses none, and a reply written synchronously needs none.
   */
  watchAbort(): void {
    if (this.watching || this.done) return;
    this.watching = true;
    this.res.onAborted(() => this.abort());
    this.state.track(this);
  }

  get ip(): string {
    // Read on first use: `res` stays valid until the response ends or the client leaves, and the
    // address is needed before then (rate limits, logs) or not at all.
    if (this.formattedIp === undefined) {
      if (this.done) return '';
      this.formattedIp = formatAddress(this.res.getRemoteAddressAsText());
    }
    return this.formattedIp;
  }

  /**
   * Starts buffering the body at once: uWS drops body data that arrives while no `onData` handler
   * is set, and the app reads the body only after its `onRequest` hooks ran. At most `limit` bytes
   * are kept; past that the body is refused and the rest discarded as it arrives.
   */
  receiveBody(limit: number, timeout: number): void {
    this.watchAbort();
    this.bufferLimit = limit;
    this.reading = true;
    this.res.onData((chunk, isLast) => this.onChunk(chunk, isLast));
    // uWS's own timeouts are not reachable from JS; this is security-cases.md row 2 (slow body).
    this.bodyTimer = setTimeout(() => this.bodyTimedOut(), timeout);
    this.bodyTimer.unref();
  }

  private onChunk(chunk: ArrayBuffer, isLast: boolean): void {
    if (this.body !== 'receiving') return;
    if (this.done) {
      // Answered before the body arrived (a 404, say): uWS discards the rest of it.
      this.endBody('complete');
      this.chunks = [];
      return;
    }
    this.received += chunk.byteLength;
    const limit = this.bodyWaiter?.limit ?? this.streamLimit ?? this.bufferLimit;
    if (this.received > limit) {
      this.endBody('tooLarge');
      this.chunks = [];
      this.bodyWaiter?.reject(bodyTooLarge(limit));
      this.bodyWaiter = undefined;
      this.streamWake?.();
      return;
    }
    // uWS neuters the ArrayBuffer when this callback returns, so keep a copy.
    if (chunk.byteLength > 0) this.chunks.push(Buffer.from(new Uint8Array(chunk)));
    if (isLast) {
      this.endBody('complete');
      if (this.bodyWaiter) {
        this.bodyWaiter.resolve(this.takeBody());
        this.bodyWaiter = undefined;
      }
    }
    this.streamWake?.();
  }

  private endBody(state: BodyState): void {
    this.body = state;
    if (this.bodyTimer !== undefined) clearTimeout(this.bodyTimer);
    this.bodyTimer = undefined;
  }

  private takeBody(): Uint8Array {
    const chunks = this.chunks;
    this.chunks = [];
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.received);
  }

  private bodyTimedOut(): void {
    if (this.body !== 'receiving') return;
    this.endBody('timedOut');
    this.chunks = [];
    const error = requestTimeout();
    if (this.bodyWaiter) {
      this.bodyWaiter.reject(error);
      this.bodyWaiter = undefined;
    } else if (this.streamLimit !== undefined) {
      this.streamWake?.();
    } else {
      // The app has not asked for the body yet (a slow onRequest hook): answer now, as node does.
      this.send(this.state.core.problem(error, undefined));
    }
  }

  readBody(limit: number): Promise<Uint8Array> {
    switch (this.body) {
      case 'complete':
        return this.received > limit ? Promise.reject(bodyTooLarge(limit)) : Promise.resolve(this.takeBody());
      case 'tooLarge':
        return Promise.reject(bodyTooLarge(Math.min(limit, this.bufferLimit)));
      case 'timedOut':
        return Promise.reject(requestTimeout());
      case 'aborted':
        return Promise.reject(bodyAborted());
      default:
        if (this.received > limit) {
          this.endBody('tooLarge');
          this.chunks = [];
          return Promise.reject(bodyTooLarge(limit));
        }
        return new Promise((resolve, reject) => {
          this.bodyWaiter = { limit, resolve, reject };
        });
    }
  }

  /**
   * The body as it arrives: first what `receiveBody` buffered, then live chunks. uWS cannot pause a
   * request here, so what the consumer has not taken yet stays buffered, bounded by the limit.
   */
  async *stream(limit: number): AsyncIterable<Uint8Array> {
    this.streamLimit = limit;
    let finished = false;
    try {
      for (;;) {
        if (this.received > limit && this.body !== 'tooLarge') {
          this.endBody('tooLarge');
          this.chunks = [];
        }
        const chunk = this.chunks.shift();
        if (chunk !== undefined) {
          yield chunk;
          continue;
        }
        if (this.body === 'complete') {
          finished = true;
          return;
        }
        if (this.body === 'tooLarge') throw bodyTooLarge(limit);
        if (this.body === 'timedOut') throw requestTimeout();
        if (this.body === 'aborted') throw bodyAborted();
        await new Promise<void>((resolve) => {
          this.streamWake = resolve;
        });
        this.streamWake = undefined;
      }
    } finally {
      if (!finished && this.body === 'receiving') {
        // The consumer stopped early: drop the rest of the body as it arrives.
        this.endBody('complete');
        this.chunks = [];
      }
    }
  }

  onAbort(listener: () => void): void {
    if (this.aborted) {
      queueMicrotask(listener);
      return;
    }
    if (this.done) return;
    if (this.abortListeners === undefined) this.abortListeners = [listener];
    else this.abortListeners.push(listener);
  }

  private abort(): void {
    if (this.done) return;
    this.aborted = true;
    this.done = true;
    if (this.body === 'receiving') {
      this.endBody('aborted');
      this.chunks = [];
      this.bodyWaiter?.reject(bodyAborted());
      this.bodyWaiter = undefined;
      this.streamWake?.();
    }
    // A stream waiting for the socket to drain resumes, sees `aborted` and stops its source.
    this.wake?.();
    const listeners = this.abortListeners;
    this.abortListeners = undefined;
    if (listeners) {
      for (const listener of listeners) {
        try {
          listener();
        } catch (error) {
          this.state.core.logger.error({ err: error }, 'an abort listener failed');
        }
      }
    }
    this.state.settled(this);
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.abortListeners = undefined;
    if (this.bodyTimer !== undefined) clearTimeout(this.bodyTimer);
    this.bodyTimer = undefined;
    this.state.settled(this);
  }

  /** Closes the connection at once (shutdown deadline, or a stream that failed after its headers). */
  close(): void {
    if (this.done) return;
    // Fires onAborted synchronously, which settles this request.
    this.res.close();
  }

  /** Answers with a fixed status and no body, then closes, like node:http's answer to a parse error. */
  refuse(status: 400 | 431): void {
    if (this.done) return;
    if (!this.closeHeld) {
      this.holdForClose(() => this.refuse(status));
      return;
    }
    this.res.cork(() => {
      this.res.writeStatus(statusLine(status));
      const packed = this.state.core.security.json.packed;
      if (packed !== undefined) this.res.writeHeader(packed[0], packed[1]);
      this.res.end('', true);
    });
    this.finish();
  }

  /** Whether a reply ends the connection: on shutdown, or when the client or the reply says so. */
  private closes(reply: Reply): boolean {
    if (this.state.closing || this.clientCloses) return true;
    const connection = reply.headers.connection;
    return typeof connection === 'string' && CLOSE.test(connection);
  }

  /**
   * Writes a reply that closes the connection on a later turn of the event loop. uWS closes after
   * `end(body, true)` only once it has parsed all it already read, so bytes pipelined behind this
   * request in the same read (a second request smuggled after a body that a proxy framed
   * differently) would reach a handler first, even after a 400. Holding the response open until
   * uWS has returned to the event loop makes it drop the connection when such bytes follow
   * (nothing after this request is served); otherwise the reply is sent and the socket closed.
   */
  private holdForClose(then: () => void): void {
    this.closeHeld = true;
    this.watchAbort();
    if (this.hasBody && !this.reading) {
      // uWS must be able to read past the body; what it contains no longer matters.
      this.reading = true;
      this.res.onData(() => {});
    }
    setImmediate(then);
  }

  /** Writes a reply; never throws, and drops it if the client is gone. */
  send(reply: Reply): void {
    if (this.done) {
      discard(reply.body);
      return;
    }
    if (!this.closeHeld && this.closes(reply)) {
      this.holdForClose(() => this.send(reply));
      return;
    }
    try {
      const invalid = invalidHeader(reply);
      if (invalid === undefined) {
        this.write(reply);
        return;
      }
      // node:http throws on these; uWS would send them as they are (response splitting, HD-04).
      discard(reply.body);
      this.write(
        this.state.core.problem(
          new FrameworkError('FW_ERR_INVALID_HEADER', `The reply has an invalid header: ${invalid}.`),
          undefined,
        ),
      );
    } catch (error) {
      this.state.core.logger.error({ err: error }, 'a reply could not be written; the connection was closed');
      discard(reply.body);
      this.close();
    }
  }

  private write(reply: Reply): void {
    const { status, body } = reply;
    const close = this.closes(reply);
    const declared = reply.headers['content-length'];
    const length = typeof declared === 'string' && /^\d+$/.test(declared) ? Number(declared) : undefined;
    const res = this.res;
    const noBody = this.method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);

    if (noBody) {
      discard(body);
      res.cork(() => {
        // uWS closes only through end(body, true), so a no-body reply that should close says so
        // in a header and the client closes.
        this.writeHead(reply, close);
        // Content-Length is only ever what the app declared: node:http sends none for HEAD, and
        // RFC 9110 §8.6 forbids it on 1xx and 204. Never endWithoutBody(undefined, ...): this
        // build then sends "Content-Length: 9223372036854775808".
        if (length !== undefined && status !== 204 && status >= 200) res.endWithoutBody(length);
        else res.endWithoutBody();
      });
      this.finish();
      return;
    }
    if (body === null || typeof body === 'string' || body instanceof Uint8Array) {
      res.cork(() => {
        // end(body, true) adds "Connection: close" itself, except when the request said so.
        this.writeHead(reply, close && this.clientCloses);
        res.end(body ?? '', close);
      });
      this.finish();
      return;
    }
    // The stream goes on after the handler returned to uWS.
    this.watchAbort();
    res.cork(() => this.writeHead(reply, close));
    const stream = length === undefined ? this.streamChunked(body) : this.streamKnownLength(body, length);
    stream.catch((error: unknown) => {
      this.state.core.logger.error(
        { err: error },
        'a streamed response failed after its headers were sent; the connection was closed',
      );
      this.close();
    });
  }

  /** Status and headers. uWS adds Date, Content-Length or Transfer-Encoding, and Connection itself. */
  private writeHead(reply: Reply, connectionClose: boolean): void {
    const res = this.res;
    res.writeStatus(statusLine(reply.status));
    const headers = reply.headers;
    const security = securityFor(headers, this.state.core.security);
    let overridden: Set<string> | undefined;
    for (const name in headers) {
      const lower = name.toLowerCase();
      if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'connection' || lower === 'date') {
        continue;
      }
      if (security.names.has(lower)) {
        overridden ??= new Set();
        overridden.add(lower);
      }
      const value = headers[name]!;
      if (Array.isArray(value)) for (const item of value) res.writeHeader(name, headerValue(item));
      else res.writeHeader(name, headerValue(value));
    }
    if (overridden === undefined) {
      // The usual case: every security header in one call.
      if (security.packed !== undefined) res.writeHeader(security.packed[0], security.packed[1]);
    } else {
      for (const [name, value] of security.pairs) if (!overridden.has(name)) res.writeHeader(name, value);
    }
    if (connectionClose) res.writeHeader('connection', 'close');
  }

  private ensureWritable(): void {
    if (this.writableRegistered) return;
    this.writableRegistered = true;
    this.res.onWritable((offset) => {
      const writer = this.writer;
      if (writer !== undefined) return writer(offset);
      this.wake?.();
      return true;
    });
  }

  private waitWritable(): Promise<void> {
    this.ensureWritable();
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        resolve();
      };
    });
  }

  /** Streams with chunked encoding; `write` buffers what the socket cannot take, so wait for onWritable. */
  private async streamChunked(source: StreamSource): Promise<void> {
    const res = this.res;
    for await (const chunk of iterate(source)) {
      if (this.done) break;
      const data = toBytes(chunk);
      // A zero-length write ends a chunked response in uWS.
      if (data.byteLength === 0) continue;
      let ok = true;
      res.cork(() => {
        ok = res.write(data);
      });
      if (!ok) await this.waitWritable();
      if (this.done) break;
    }
    if (this.done) return;
    // Not end('', true): after chunked writes this build puts "Connection: close" into the body.
    res.cork(() => res.end());
    this.finish();
  }

  /** Streams a body of declared length with tryEnd, which writes only what the socket takes now. */
  private async streamKnownLength(source: StreamSource, total: number): Promise<void> {
    const res = this.res;
    for await (const chunk of iterate(source)) {
      if (this.done) break;
      const data = toBytes(chunk);
      if (data.byteLength === 0) continue;
      const start = res.getWriteOffset();
      let result: [boolean, boolean] = [true, false];
      res.cork(() => {
        result = res.tryEnd(data, total);
      });
      if (result[1]) {
        this.finish();
        break;
      }
      if (!result[0]) {
        const completed = await new Promise<boolean>((resolve) => {
          this.wake = () => {
            this.wake = undefined;
            this.writer = undefined;
            resolve(false);
          };
          this.writer = (offset) => {
            let retry: [boolean, boolean] = [false, false];
            res.cork(() => {
              retry = res.tryEnd(data.subarray(offset - start), total);
            });
            if (retry[0] || retry[1]) {
              this.writer = undefined;
              this.wake = undefined;
              resolve(retry[1]);
            }
            return retry[0];
          };
          this.ensureWritable();
        });
        if (completed) {
          this.finish();
          break;
        }
      }
    }
    if (this.done) return;
    // The source ended before the declared Content-Length: the framing cannot be completed.
    this.state.core.logger.error(
      { contentLength: total },
      `a streamed response ended before its declared ${total}-byte Content-Length`,
    );
    this.close();
  }
}

function headerValue(value: string): string | Uint8Array {
  // node:http sends header values as latin1 and uWS as UTF-8; keep node's bytes.
  return NON_ASCII.test(value) ? Buffer.from(value, 'latin1') : value;
}

function invalidHeader(reply: Reply): string | undefined {
  if (!Number.isInteger(reply.status) || reply.status < 100 || reply.status > 999) return `status ${reply.status}`;
  for (const name in reply.headers) {
    if (!TOKEN.test(name)) return JSON.stringify(name);
    const value = reply.headers[name];
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) {
      if (typeof item !== 'string' || INVALID_VALUE.test(item)) return `${name} (the value contains CR, LF or NUL)`;
    }
  }
  return undefined;
}

function requestTimeout(): HttpError {
  return new HttpError(408, 'The request body was not received in time.', {
    code: 'FW_ERR_REQUEST_TIMEOUT',
    headers: { connection: 'close' },
  });
}

function bodyAborted(): HttpError {
  return new HttpError(400, 'The client closed the connection before sending the whole body.', {
    code: 'FW_ERR_BODY_ABORTED',
  });
}
