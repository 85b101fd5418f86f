import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { bodyTooLarge } from '../body.ts';
import { HttpError } from '../errors.ts';
import { Reply, type StreamSource } from '../reply.ts';
import { applySecurity, rawSecurityHeaders } from '../security/headers.ts';
import { discard, iterate } from './shared.ts';
import type { DriverHost, ServerAddress, ServerRequest, StartOptions } from './types.ts';

/** How long a socket answered for a parse error stays half-open for the client to close it first. */
const CLIENT_ERROR_LINGER = 1_000;

/** A started server, as the app keeps it. */
export interface RunningServer {
  readonly address: ServerAddress;
  close(): Promise<void>;
}

/** Adapts node:http's request to the driver contract. */
class NodeRequest implements ServerRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly hasBody: boolean;
  readonly contentLength: number;
  private readonly req: IncomingMessage;
  private readonly res: ServerResponse;

  constructor(req: IncomingMessage, res: ServerResponse) {
    this.req = req;
    this.res = res;
    this.method = req.method ?? 'GET';
    this.url = req.url ?? '/';
    this.headers = req.headers;
    const length = req.headers['content-length'];
    this.contentLength = length === undefined ? -1 : Number(length);
    this.hasBody = this.contentLength > 0 || req.headers['transfer-encoding'] !== undefined;
  }

  get ip(): string {
    return this.req.socket.remoteAddress ?? '';
  }

  get secure(): boolean {
    return (this.req.socket as Socket & { encrypted?: boolean }).encrypted === true;
  }

  readBody(limit: number): Promise<Uint8Array> {
    const req = this.req;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const cleanup = () => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
        req.off('close', onClose);
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          cleanup();
          req.pause();
          reject(bodyTooLarge(limit));
          return;
        }
        chunks.push(chunk);
      };
      const onEnd = () => {
        cleanup();
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
      };
      const onError = (error: Error) => {
        cleanup();
        reject(
          new HttpError(400, `The request body could not be read: ${error.message}.`, { code: 'FW_ERR_BODY_READ' }),
        );
      };
      const onClose = () => {
        if (req.complete) return;
        cleanup();
        reject(bodyAborted());
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
      req.on('close', onClose);
    });
  }

  stream(limit: number): AsyncIterable<Uint8Array> {
    const req = this.req;
    return {
      [Symbol.asyncIterator]: () => {
        const queue: Buffer[] = [];
        let size = 0;
        let ended = false;
        let failure: HttpError | undefined;
        let wake: (() => void) | undefined;
        const cleanup = () => {
          req.off('data', onData);
          req.off('end', onEnd);
          req.off('error', onError);
          req.off('close', onClose);
          req.pause();
        };
        const stop = (error: HttpError) => {
          failure ??= error;
          cleanup();
          wake?.();
        };
        // One chunk at a time: the request is paused until the consumer asks for more (backpressure).
        const onData = (chunk: Buffer) => {
          size += chunk.length;
          if (size > limit) return stop(bodyTooLarge(limit));
          queue.push(chunk);
          req.pause();
          wake?.();
        };
        const onEnd = () => {
          ended = true;
          cleanup();
          wake?.();
        };
        const onError = (error: Error) =>
          stop(
            new HttpError(400, `The request body could not be read: ${error.message}.`, { code: 'FW_ERR_BODY_READ' }),
          );
        const onClose = () => {
          if (!req.complete) stop(bodyAborted());
        };
        req.on('data', onData);
        req.on('end', onEnd);
        req.on('error', onError);
        req.on('close', onClose);
        req.pause();
        return {
          next: async (): Promise<IteratorResult<Uint8Array>> => {
            while (queue.length === 0 && !ended && failure === undefined) {
              await new Promise<void>((resolve) => {
                wake = resolve;
                req.resume();
              });
              wake = undefined;
            }
            if (failure !== undefined) throw failure;
            const chunk = queue.shift();
            return chunk === undefined ? { done: true, value: undefined } : { done: false, value: chunk };
          },
          return: async (): Promise<IteratorResult<Uint8Array>> => {
            cleanup();
            queue.length = 0;
            return { done: true, value: undefined };
          },
        };
      },
    };
  }

  onAbort(listener: () => void): void {
    const res = this.res;
    res.once('close', () => {
      if (!res.writableFinished) listener();
    });
  }
}

function bodyAborted(): HttpError {
  return new HttpError(400, 'The client closed the connection before sending the whole body.', {
    code: 'FW_ERR_BODY_ABORTED',
  });
}

/** Writes the status line and headers; a header a middleware set badly closes the connection instead of crashing. */
function writeHead(res: ServerResponse, reply: Reply, log: DriverHost['logger']): boolean {
  try {
    res.writeHead(reply.status, reply.headers);
    return true;
  } catch (error) {
    log.error({ err: error }, 'a reply had an invalid status or header and was not sent; the connection was closed');
    res.destroy();
    return false;
  }
}

function waitForDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function writeStream(res: ServerResponse, source: StreamSource): Promise<void> {
  for await (const chunk of iterate(source)) {
    if (res.destroyed) break;
    const data = typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : String(chunk);
    if (!res.write(data)) await waitForDrain(res);
  }
  if (!res.destroyed) res.end();
}

/** Writes a reply to a node:http response, streaming with backpressure. */
export function writeReply(req: IncomingMessage, res: ServerResponse, reply: Reply, core: DriverHost): void {
  if (res.headersSent || res.destroyed) return;
  const log = core.logger;
  applySecurity(reply, core.security);
  const body = reply.body;
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) {
    // writeHead() fixes the framing before end() sees the body: without a length it would be chunked.
    if (body !== null && reply.headers['content-length'] === undefined) {
      reply.headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
    }
    if (!writeHead(res, reply, log)) return;
    res.end(body ?? undefined);
    return;
  }
  if (!writeHead(res, reply, log)) return;
  if (req.method === 'HEAD' || reply.status === 204 || reply.status === 304) {
    discard(body);
    res.end();
    return;
  }
  writeStream(res, body).catch((error: unknown) => {
    log.error({ err: error }, 'a streamed response failed after its headers were sent; the connection was closed');
    res.destroy();
  });
}

/** Starts the node:http driver with the app's limits and graceful shutdown. */
export function startNodeServer(core: DriverHost, options: StartOptions): Promise<RunningServer> {
  const limits = core.limits;
  let closing = false;
  // Every open connection, and how many of its requests are in flight (pipelined ones included):
  // on stop, those with none are closed at once, whether idle after a reply or silent since
  // connecting (server.closeIdleConnections() skips the latter until the deadline).
  const connections = new Map<Socket, number>();

  const track = (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    connections.set(socket, (connections.get(socket) ?? 0) + 1);
    res.once('close', () => {
      const left = (connections.get(socket) ?? 1) - 1;
      if (!connections.has(socket)) return;
      connections.set(socket, left);
      // Once stopping, a connection whose last request ended goes too (it already said close).
      if (closing && left === 0) socket.destroySoon();
    });
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (req.rawHeaders.length > limits.maxHeadersCount * 2) {
      writeReply(req, res, tooManyHeaders(limits.maxHeadersCount), core);
      return;
    }
    if (closing) {
      writeReply(req, res, shuttingDown(), core);
      return;
    }
    const request = new NodeRequest(req, res);
    const send = (reply: Reply) => {
      if (closing) reply.headers.connection = 'close';
      writeReply(req, res, reply, core);
    };
    const result = core.handle(request);
    if (result instanceof Promise) {
      result.then(send, (error: unknown) => writeReply(req, res, core.problem(error, undefined), core));
    } else {
      send(result);
    }
  };

  const server: Server = createServer(
    {
      maxHeaderSize: limits.maxHeaderSize,
      requestTimeout: limits.requestTimeout,
      headersTimeout: limits.headersTimeout,
      keepAliveTimeout: limits.keepAliveTimeout,
      // How often Node checks headersTimeout and requestTimeout (30 s by default, which lets a
      // request run up to twice its limit).
      connectionsCheckingInterval: 1_000,
      requireHostHeader: true,
      insecureHTTPParser: false,
    },
    handle,
  );
  server.on('connection', (socket: Socket) => {
    connections.set(socket, 0);
    socket.once('close', () => connections.delete(socket));
  });
  server.on('request', track);
  // Node silently drops headers past maxHeadersCount; keep one more so the handler can answer 431.
  server.maxHeadersCount = limits.maxHeadersCount + 1;
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    track(req, res);
    const length = Number(req.headers['content-length'] ?? '0');
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const limit = core.bodyLimitFor(req.method ?? 'POST', path);
    if (length > limit) {
      // Answer before the client sends the body: no 100 Continue for a body we would refuse.
      writeReply(req, res, core.problem(bodyTooLarge(limit), undefined), core);
      return;
    }
    res.writeContinue();
    handle(req, res);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const text =
      status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\n${rawSecurityHeaders(core.security)}Content-Length: 0\r\nConnection: close\r\n\r\n`,
    );
    // end() only half-closes: nothing more is parsed, but a client that never closes its side would
    // keep the socket. Close it for real once the answer had time to leave.
    const linger = setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER);
    linger.unref();
    socket.once('close', () => clearTimeout(linger));
  });

  const port = options.port ?? (process.env.PORT === undefined ? 3000 : Number(process.env.PORT));
  const host = options.host ?? process.env.HOST ?? '127.0.0.1';

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const bound = server.address();
      const actualPort = typeof bound === 'object' && bound !== null ? bound.port : port;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      const address: ServerAddress = { url: `http://${shownHost}:${actualPort}`, host, port: actualPort };
      resolve({
        address,
        close: () =>
          new Promise<void>((done) => {
            closing = true;
            const timer = setTimeout(() => {
              core.logger.warn(
                { shutdownTimeout: limits.shutdownTimeout },
                `shutdown deadline of ${limits.shutdownTimeout} ms reached; closing remaining connections`,
              );
              server.closeAllConnections();
            }, limits.shutdownTimeout);
            timer.unref();
            server.close(() => {
              clearTimeout(timer);
              done();
            });
            // In-flight requests finish with `Connection: close` and their sockets close when the
            // last one ends (see track); every other connection is closed now.
            for (const [socket, inFlight] of connections) if (inFlight === 0) socket.destroy();
          }),
      });
    });
  });
}

/** 431 for more header lines than `maxHeadersCount`, on both drivers. */
export function tooManyHeaders(max: number): Reply {
  return new Reply(
    431,
    { 'content-type': 'text/plain; charset=utf-8', connection: 'close' },
    `More than ${max} request headers; send fewer.`,
  );
}

/** 503 for requests that arrive while the server shuts down, on both drivers. */
export function shuttingDown(): Reply {
  return new Reply(
    503,
    { 'content-type': 'text/plain; charset=utf-8', connection: 'close', 'retry-after': '1' },
    'The server is shutting down; retry on another instance.',
  );
}
