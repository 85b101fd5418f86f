import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { bodyTooLarge } from '../body.ts';
import { HttpError } from '../errors.ts';
import type { Reply } from '../reply.ts';
import type { DriverHost, ServerRequest } from './types.ts';
import { CLOSE, copyHeaders, EMPTY_HEADERS, type UwsHeaders } from './uws-headers.ts';

/** What every request of one uWS server shares. */
export interface UwsServerState {
  readonly core: DriverHost;
  /** Set once `close()` began: new requests get a 503, replies close their connection. */
  closing: boolean;
  /** Called when a request outlives its uWS handler (in flight, for graceful shutdown). */
  track(request: UwsIncoming): void;
  /** Called once per tracked request when its response is complete or the client is gone. */
  settled(request: UwsIncoming): void;
}

// As node:http matches it.
const CONTINUE = /(?:^|\W)100-continue(?:$|\W)/i;

type BodyState = 'receiving' | 'complete' | 'tooLarge' | 'aborted' | 'timedOut';

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

/**
 * What one request on the uWebSockets.js driver reads: its line and headers, the client's address,
 * the body as it arrives, and the client going away. `UwsRequest` adds the writing of the reply.
 * uWS invalidates `res` once the response has ended or the client went away, and touching it then
 * throws (uNetworking/uWebSockets.js#1296), so every use checks `done` first.
 */
export abstract class UwsIncoming implements ServerRequest {
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly secure = false;
  readonly hasBody: boolean;
  readonly contentLength: number;
  /** Number of header lines and their size in bytes, request line included. */
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
  protected readonly res: HttpResponse;
  protected readonly state: UwsServerState;
  private copiedHeaders: UwsHeaders = EMPTY_HEADERS;
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
  /** Set while a stream waits for the socket to drain: an abort wakes it so it stops its source. */
  protected wake: (() => void) | undefined;
  /** Whether an `onData` handler is set (uWS needs one to read past a body). */
  protected reading = false;

  constructor(res: HttpResponse, req: HttpRequest, state: UwsServerState) {
    this.res = res;
    this.state = state;
    this.method = req.getCaseSensitiveMethod();
    this.path = req.getUrl();
    // This build returns undefined, not '', when the target has no query.
    const query: string | undefined = req.getQuery();
    this.url = query ? `${this.path}?${query}` : this.path;
    // All headers are copied at once, counted and their framing checked (see copyHeaders).
    const headers = copyHeaders(req, this.method.length + this.url.length + 12, this);
    this.copiedHeaders = headers;
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
  get headers(): UwsHeaders {
    return this.copiedHeaders;
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
    // uWS's own timeouts are not reachable from JS: without this timer a client that sends its
    // body slowly, or never finishes it, would hold the request open for as long as it likes.
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

  /** Marks the response complete: `res` is not touched again and the request is no longer in flight. */
  protected finish(): void {
    if (this.done) return;
    this.done = true;
    this.abortListeners = undefined;
    if (this.bodyTimer !== undefined) clearTimeout(this.bodyTimer);
    this.bodyTimer = undefined;
    this.state.settled(this);
  }

  /** Writes a reply; never throws, and drops it if the client is gone. */
  abstract send(reply: Reply): void;

  /** Closes the connection at once (shutdown deadline, or a stream that failed after its headers). */
  abstract close(): void;
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
