import type { Duration } from '../duration.ts';
import type { Logger } from '../logger.ts';
import type { ClusterOptions, GracefulShutdownOptions, ProcessOptions } from '../process/types.ts';
import type { Reply } from '../reply.ts';
import type { CompiledSecurity } from '../security/headers.ts';

/**
 * The contract between the app and a server driver (node:http, uWebSockets.js, the Web fetch
 * adapter, the in-memory test client). The app never sees a driver's own request object.
 */
export interface ServerRequest {
  /** The method, upper-case. */
  readonly method: string;
  /** The request target as sent: path and query string. */
  readonly url: string;
  /** Headers with lower-case names. */
  readonly headers: Record<string, string | string[] | undefined>;
  /** The client's address. */
  readonly ip: string;
  /** Whether the connection is TLS. */
  readonly secure: boolean;
  /** Whether a body follows the headers (a non-zero Content-Length or chunked encoding). */
  readonly hasBody: boolean;
  /** The declared Content-Length, or -1 when absent. */
  readonly contentLength: number;
  /** Reads the whole body; rejects with a 413 `HttpError` as soon as it exceeds `limit` bytes. */
  readBody(limit: number): Promise<Uint8Array>;
  /**
   * The body as it arrives, for parsers that stream (multipart uploads); the next chunk is read
   * only when asked for. Throws a 413 `HttpError` once more than `limit` bytes came, and a 400
   * when the client goes away. Ending the iteration early stops reading. Use it or `readBody`, not both.
   */
  stream(limit: number): AsyncIterable<Uint8Array>;
  /** Calls `listener` once if the client goes away before the response is complete. */
  onAbort(listener: () => void): void;
}

/**
 * Options for `app.start()`: where to listen, and how the process is managed in production. An
 * unknown key throws `FW_ERR_UNKNOWN_OPTION` naming it.
 *
 * @example
 * ```ts
 * await app.start({ port: Number(process.env.PORT ?? 3000), host: '0.0.0.0' });
 * await app.start({
 *   port: 3000,
 *   gracefulShutdown: { timeout: '30s' },
 *   cluster: { enabled: true, workers: 'auto' },
 *   process: { maxRestarts: 10, memoryLimit: '512MB' },
 * });
 * ```
 */
export interface StartOptions {
  /** Port to listen on; `0` picks a free one. Defaults to `PORT` from the environment, else 3000. */
  port?: number;
  /** Address to bind. Defaults to `HOST` from the environment, else `127.0.0.1`. */
  host?: string;
  /**
   * Which server to run: `node` (node:http, the default), `uws` (uWebSockets.js, an optional peer
   * dependency; fails with a `FrameworkError` naming the build to install when its native addon
   * cannot load) or `auto` (uWebSockets.js where it loads, else node:http with one warning).
   */
  driver?: 'node' | 'uws' | 'auto';
  /**
   * Stop gracefully on SIGTERM and SIGINT: `/health/ready` answers 503, in-flight requests finish,
   * the `onClose` hooks and `onShutdown` run, all within `timeout`, then the process exits. Off
   * unless given (and always on in a cluster worker).
   */
  gracefulShutdown?: GracefulShutdownOptions;
  /** Run several worker processes on the same port, restarted one by one on SIGHUP. Off unless given. */
  cluster?: ClusterOptions;
  /** Restart crashed workers up to `maxRestarts`; replace (or warn about) a process over `memoryLimit`. */
  process?: ProcessOptions;
}

/**
 * The address a started server listens on.
 *
 * @example
 * ```ts
 * const address = await app.start({ port: 0 }); // port 0 picks a free port
 * console.log(`listening on ${address.url} (port ${address.port})`);
 * ```
 */
export interface ServerAddress {
  /** e.g. `http://127.0.0.1:3000` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
}

/**
 * Limits and timeouts the server drivers enforce against slow or oversized requests (slowloris,
 * huge headers, endless bodies) and for graceful shutdown, with every timeout in milliseconds. Set
 * any of them through `createApp({ server })`, where a timeout may also be a duration string.
 *
 * @example
 * ```ts
 * const app = createApp({ server: { requestTimeout: 60_000, shutdownTimeout: '10s' } });
 * ```
 */
export interface ServerLimits {
  /** Milliseconds to receive the request headers (slowloris). Default 15 000. */
  headersTimeout: number;
  /** Milliseconds to receive the whole request. Default 30 000. */
  requestTimeout: number;
  /** Milliseconds a keep-alive connection may stay idle. Default 72 000 (more than common load balancers' 60 s). */
  keepAliveTimeout: number;
  /** Maximum size of the request headers, in bytes. Default 16 KiB. */
  maxHeaderSize: number;
  /** Maximum number of request header lines. Default 100. */
  maxHeadersCount: number;
  /**
   * Longest request target (path and query string) in characters; longer is answered 414 before
   * routing. Default 8 KiB. A target that also pushes the headers over `maxHeaderSize` gets 431.
   */
  maxUrlLength: number;
  /** Milliseconds `app.stop()` waits for in-flight requests. Default 25 000. */
  shutdownTimeout: number;
}

/**
 * `createApp({ server })`: the `ServerLimits` to change, each timeout in milliseconds or as a
 * duration string such as `'30s'`. `createApp()` parses them once; a timeout that is not a
 * duration throws `FW_ERR_INVALID_OPTION` naming it.
 *
 * @example
 * ```ts
 * const app = createApp({ server: { requestTimeout: '1m', shutdownTimeout: 10_000, maxHeaderSize: 32 * 1024 } });
 * ```
 */
export interface ServerOptions {
  /** Milliseconds, or a duration string such as `'15s'`: time to receive the request headers (slowloris). Default 15 000. */
  headersTimeout?: Duration;
  /** Milliseconds, or a duration string such as `'30s'`: time to receive the whole request. Default 30 000. */
  requestTimeout?: Duration;
  /**
   * Milliseconds, or a duration string such as `'72s'`: how long a keep-alive connection may stay
   * idle. Default 72 000 (more than common load balancers' 60 s).
   */
  keepAliveTimeout?: Duration;
  /** Maximum size of the request headers, in bytes. Default 16 KiB. */
  maxHeaderSize?: number;
  /** Maximum number of request header lines. Default 100. */
  maxHeadersCount?: number;
  /**
   * Longest request target (path and query string) in characters; longer is answered 414 before
   * routing. Default 8 KiB. A target that also pushes the headers over `maxHeaderSize` gets 431.
   */
  maxUrlLength?: number;
  /** Milliseconds, or a duration string such as `'25s'`: how long `app.stop()` waits for in-flight requests. Default 25 000. */
  shutdownTimeout?: Duration;
}

/**
 * What a server driver (node:http, uWebSockets.js, the fetch adapter, or a third-party one) uses of
 * the app: the app implements it, and a driver needs nothing else.
 *
 * @example
 * ```ts
 * async function serveOne(host: DriverHost, request: ServerRequest): Promise<Reply> {
 *   if (request.contentLength > host.bodyLimitFor(request.method, request.url)) {
 *     return host.problem(new HttpError(413, 'Send a smaller body.'), undefined);
 *   }
 *   return host.handle(request);
 * }
 * ```
 */
export interface DriverHost {
  /**
   * Routes a request, runs it and returns the reply. Never throws and never rejects: every failure
   * (no route, a bad path, a handler error, a failed hook) becomes an error reply. The reply is
   * synchronous when nothing on the request's path is asynchronous.
   */
  handle(request: ServerRequest): Reply | Promise<Reply>;
  /**
   * The app's RFC 9457 problem+json answer to an error the driver met outside `handle` (a body
   * over its limit before reading it, a reply that could not be written). Never throws; an error
   * that is not an `HttpError` is logged and answered 500 without its message unless the app
   * exposes errors.
   */
  problem(error: unknown, ctx: undefined): Reply;
  /**
   * The body limit in bytes of the route a request would reach, for refusing an oversized body
   * (or `Expect: 100-continue`) before reading it. Never throws: a path that cannot be routed gets
   * the app's default limit.
   */
  bodyLimitFor(method: string, path: string): number;
  /** The server limits and timeouts from `createApp({ server })`, with their defaults filled in (timeouts in milliseconds). */
  readonly limits: ServerLimits;
  /** Where the driver logs what it cannot answer with (a failed write, a fallback driver); never throws. */
  readonly logger: Logger;
  /**
   * The app's compiled security headers, applied to every reply the driver writes. Read it per
   * reply: `app.security()` replaces it before the app starts.
   */
  readonly security: CompiledSecurity;
}
