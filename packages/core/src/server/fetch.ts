import { bodyTooLarge } from '../body.ts';
import type { Reply, StreamSource } from '../reply.ts';
import { applySecurity } from '../security/headers.ts';
import type { DriverHost, ServerRequest } from './types.ts';

/** Adapts a Web `Request` to the driver contract. */
class FetchRequest implements ServerRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly ip: string;
  readonly secure: boolean;
  readonly hasBody: boolean;
  readonly contentLength: number;
  private readonly request: Request;

  constructor(request: Request, ip: string) {
    this.request = request;
    this.method = request.method;
    const url = new URL(request.url);
    this.url = url.pathname + url.search;
    this.secure = url.protocol === 'https:';
    this.ip = ip;
    const headers: Record<string, string | string[] | undefined> = Object.create(null);
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    if (headers.host === undefined) headers.host = url.host;
    this.headers = headers;
    const length = headers['content-length'];
    this.contentLength = typeof length === 'string' ? Number(length) : -1;
    this.hasBody = request.body !== null;
  }

  async readBody(limit: number): Promise<Uint8Array> {
    const body = this.request.body;
    if (body === null) return new Uint8Array(0);
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw bodyTooLarge(limit);
      }
      chunks.push(value);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  }

  async *stream(limit: number): AsyncIterable<Uint8Array> {
    const body = this.request.body;
    if (body === null) return;
    const reader = body.getReader();
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        size += value.byteLength;
        if (size > limit) throw bodyTooLarge(limit);
        yield value;
      }
    } finally {
      // Stops the source when the consumer stops early or the limit is crossed.
      await reader.cancel().catch(() => {});
    }
  }

  onAbort(listener: () => void): void {
    this.request.signal.addEventListener('abort', listener, { once: true });
  }
}

type WebBody = ConstructorParameters<typeof Response>[0];

function toWebBody(body: Reply['body']): WebBody {
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ReadableStream) return body;
  const source = body as StreamSource;
  const iterator =
    Symbol.asyncIterator in source
      ? (source as AsyncIterable<string | Uint8Array>)[Symbol.asyncIterator]()
      : (source as Iterable<string | Uint8Array>)[Symbol.iterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(typeof value === 'string' ? encoder.encode(value) : value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/** Turns a reply into a Web `Response`. */
export function toResponse(reply: Reply, method: string): Response {
  const headers = new Headers();
  for (const name in reply.headers) {
    const value = reply.headers[name]!;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const noBody = method === 'HEAD' || reply.status === 204 || reply.status === 304;
  return new Response(noBody ? null : toWebBody(reply.body), { status: reply.status, headers });
}

/** Serves a Web `Request` through the app. */
export async function fetchHandler(core: DriverHost, request: Request, ip = ''): Promise<Response> {
  const reply = await core.handle(new FetchRequest(request, ip));
  applySecurity(reply, core.security);
  return toResponse(reply, request.method);
}

/** Builds a `Request` for an in-memory call (`app.request('/path', init)`) and serves it. */
export function requestInMemory(core: DriverHost, input: string | Request, init?: RequestInit): Promise<Response> {
  const request =
    typeof input === 'string' ? new Request(new URL(input, 'http://localhost'), init) : new Request(input, init);
  return fetchHandler(core, request, '127.0.0.1');
}
