import { createServer } from 'node:net';

/**
 * A loopback port nothing listens on (bound, then closed): connecting to it is refused at once,
 * the way a stopped Redis or PostgreSQL refuses.
 *
 * @example
 * ```ts
 * const cache = createCache({ store: 'redis', redis: `redis://127.0.0.1:${await closedPort()}` });
 * ```
 */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
