import { STATUS_CODES } from 'node:http';
import { FrameworkError } from '../errors.ts';
import type { Reply, StreamSource } from '../reply.ts';
import { securityFor } from '../security/headers.ts';
import { discard, iterate } from './shared.ts';
import { CLOSE } from './uws-headers.ts';
import { UwsIncoming } from './uws-incoming.ts';

export { formatAddress } from './uws-incoming.ts';

// RFC 9110 §5.1 token, and the field-value bytes node:http accepts (no CR, LF, NUL or other CTLs).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const NON_ASCII = /[\x80-\xff]/;

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

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  return Buffer.from(typeof chunk === 'string' ? chunk : String(chunk));
}

/**
 * One request on the uWebSockets.js driver: the driver contract for the app (what it reads comes
 * from `UwsIncoming`), and the writer of its reply. uWS invalidates `res` once it has ended or the
 * client went away, and touching it then throws (uNetworking/uWebSockets.js#1296), so every write
 * checks `done` first.
 */
export class UwsRequest extends UwsIncoming {
  private writer: Writer | undefined;
  private writableRegistered = false;
  /** Set once a reply that closes the connection waits for the next turn of the event loop. */
  private closeHeld = false;

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
      // node:http throws on these; uWS would send them as they are, letting a header value that
      // carries CR or LF split the response in two.
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
