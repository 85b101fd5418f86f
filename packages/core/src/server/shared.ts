/** Helpers both server drivers use for reply bodies. */
import { Readable } from 'node:stream';
import type { Reply, StreamSource } from '../reply.ts';

/** A streamed body as something `for await` can walk. */
export function iterate(source: StreamSource): AsyncIterable<unknown> | Iterable<unknown> {
  return Symbol.asyncIterator in source || Symbol.iterator in source
    ? (source as AsyncIterable<unknown>)
    : Readable.from(source as AsyncIterable<unknown>);
}

/** Releases a streamed body that will not be sent (HEAD, 204, 304, or a gone client). */
export function discard(body: Reply['body']): void {
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) return;
  if (body instanceof Readable) body.destroy();
  else if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) void body.cancel().catch(() => {});
  else if (Symbol.asyncIterator in body)
    void body[Symbol.asyncIterator]()
      .return?.()
      ?.catch(() => {});
}
