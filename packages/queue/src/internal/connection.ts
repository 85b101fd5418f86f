import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { QueueError } from '../errors.ts';

/** What a queue may be given to reach Redis: a URL, ioredis options, or a client (`app.redis`). */
export type RedisSource = string | RedisOptions | Redis | Cluster;

/** A client: it has `duplicate()` and a status (ioredis's `Redis` or `Cluster`, from any copy of ioredis). */
export function isClient(value: unknown): value is Redis | Cluster {
  return (
    value instanceof Redis ||
    value instanceof Cluster ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as { duplicate?: unknown }).duplicate === 'function' &&
      typeof (value as { status?: unknown }).status === 'string')
  );
}

/**
 * The two connections a queue uses, made from what it was given:
 * - the producer's, on the request path: no offline queue and one retry, so `add` fails at once
 *   (503) while Redis is down instead of piling jobs up in memory (security-cases row 23/25);
 * - the worker's, for blocking commands: `maxRetriesPerRequest: null` as BullMQ requires, no
 *   command timeout (a blocking wait for jobs is long by design), an offline queue so it rides out
 *   a restart.
 */
export function openConnections(source: RedisSource): { producer: Redis | Cluster; worker: () => Redis | Cluster } {
  const producerOptions: RedisOptions = {
    enableOfflineQueue: false,
    // No INFO ready check: with no offline queue, a connection dropping mid-handshake rejects it
    // as an unhandled promise inside ioredis (see @framework/cache's REQUEST_PATH_DEFAULTS).
    enableReadyCheck: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2_000,
    retryStrategy: (times: number) => Math.min(times * 100, 2_000),
  };
  const workerOptions: RedisOptions = {
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    commandTimeout: undefined,
    retryStrategy: (times: number) => Math.min(times * 100, 2_000),
  };
  const make = (options: RedisOptions): Redis | Cluster => {
    let client: Redis | Cluster;
    if (isClient(source)) {
      client =
        source instanceof Cluster
          ? source.duplicate(undefined, { redisOptions: options })
          : (source as Redis).duplicate(options);
    } else if (typeof source === 'string') {
      if (!/^rediss?:\/\//.test(source)) {
        throw new QueueError(
          'FW_QUEUE_CONFIG',
          `${JSON.stringify(source)} is not a Redis URL; write redis://host:port, e.g. redis://127.0.0.1:6379.`,
        );
      }
      client = new Redis(source, options);
    } else {
      client = new Redis({ ...source, ...options });
    }
    // An ioredis client without an error listener crashes the process on the first error.
    client.on('error', () => {});
    return client;
  };
  return { producer: make(producerOptions), worker: () => make(workerOptions) };
}
