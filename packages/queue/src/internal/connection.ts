import type { Logger } from '@framework/core';
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
 *   (503) while Redis is down instead of piling jobs up in memory;
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
    connectTimeout: 5_000,
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

/** What ioredis and BullMQ say when Redis is down, slow or gone. */
const CONNECTION_ERROR =
  /Connection is closed|Stream isn't writeable|ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|Command timed out|max retries|MaxRetriesPerRequest|LOADING|connect ETIMEDOUT/i;

/** Whether an error means "Redis is not reachable or not answering" rather than a bug. */
export function isConnectionError(error: unknown): boolean {
  return error instanceof Error && CONNECTION_ERROR.test(error.message);
}

/**
 * Logs a queue's Redis outages: one warning when a connection is lost (or cannot be opened), one
 * line when every connection is back, never one per reconnection attempt or per relayed error.
 * Clients are added as the queue opens them (producer, workers, event stream).
 */
export class OutageLog {
  private down = false;
  private readonly clients: (Redis | Cluster)[] = [];
  private readonly detach: (() => void)[] = [];
  private readonly queue: string;
  private readonly logger: Pick<Logger, 'warn'> & { info?: Logger['info'] };
  constructor(queue: string, logger: Pick<Logger, 'warn'> & { info?: Logger['info'] }) {
    this.queue = queue;
    this.logger = logger;
  }

  /** Whether an outage is under way (a loss was logged and not every connection is back). */
  get isDown(): boolean {
    return this.down;
  }

  watch(client: Redis | Cluster): void {
    this.clients.push(client);
    let ready = client.status === 'ready';
    const onError = (error: Error) => this.lost(error);
    const onClose = () => {
      if (ready) this.lost(new Error('connection closed'));
      ready = false;
    };
    const onReady = () => {
      ready = true;
      this.check();
    };
    client.on('error', onError);
    client.on('close', onClose);
    client.on('ready', onReady);
    this.detach.push(() => {
      client.off('error', onError);
      client.off('close', onClose);
      client.off('ready', onReady);
    });
  }

  /** Reports a failure seen elsewhere (a BullMQ 'error' event): logged only if it starts an outage. */
  lost(error: unknown): void {
    if (this.down) return;
    this.down = true;
    this.logger.warn(
      { err: error, queue: this.queue },
      `queue "${this.queue}": Redis connection lost; add() answers 503 and workers wait until it is back (reconnecting)`,
    );
  }

  /** Stops watching (the queue is closing: its own disconnects are not an outage). */
  close(): void {
    for (const detach of this.detach.splice(0)) detach();
  }

  private check(): void {
    if (!this.down || !this.clients.every((client) => client.status === 'ready' || client.status === 'end')) return;
    this.down = false;
    const fields = { queue: this.queue };
    const message = `queue "${this.queue}": Redis connection is back`;
    if (this.logger.info) this.logger.info(fields, message);
    else this.logger.warn(fields, message);
  }
}
