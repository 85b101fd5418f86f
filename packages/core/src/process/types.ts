import type { Duration } from '../duration.ts';

/**
 * What `/health/ready` reports while the app shuts down, from `gracefulShutdown.healthCheck`.
 *
 * @example
 * ```ts
 * const report: ShutdownHealth = { status: 'unhealthy', checks: { database: true, redis: false } };
 * ```
 */
export interface ShutdownHealth {
  status: 'healthy' | 'unhealthy';
  checks?: Record<string, unknown>;
}

/**
 * `app.start({ gracefulShutdown })`: how SIGTERM and SIGINT stop the process. Once a signal
 * arrives, `GET /health/ready` answers 503 (so load balancers stop sending traffic) and every
 * reply carries `Connection: close`; the server then stops (in-flight requests finish), the
 * `onClose` hooks and `onShutdown` run, and the process exits 0, or 1 when `timeout` passed first.
 *
 * @example
 * ```ts
 * await app.start({
 *   port: 3000,
 *   gracefulShutdown: { timeout: '30s', onShutdown: () => queue.close() },
 * });
 * ```
 */
export interface GracefulShutdownOptions {
  /** Handle SIGTERM and SIGINT gracefully. Default true once `gracefulShutdown` is given. */
  enabled?: boolean;
  /**
   * Milliseconds, or a duration string such as `'30s'`: the longest the whole stop may take, from
   * the signal to the exit. Past it the process exits 1 with a log line. Default 30 000.
   */
  timeout?: Duration;
  /**
   * Close the listening socket as soon as the signal arrives (the default, true). With false the
   * server keeps accepting connections for the first half of `timeout` while `/health/ready`
   * answers 503, for load balancers that need time to notice, then stops.
   */
  stopAcceptingConnections?: boolean;
  /**
   * What `GET /health/ready` reports while shutting down: its `checks` go in the 503 answer's
   * body (`{ status: 'unhealthy', shuttingDown: true, checks }`). Outside shutdown it is not called,
   * and `/health/ready` is whatever route the app registered (or 404).
   */
  healthCheck?: () => ShutdownHealth | Promise<ShutdownHealth>;
  /** Cleanup after the server stopped and the `onClose` hooks ran: flush, close what the app opened itself. */
  onShutdown?: () => unknown;
}

/**
 * A worker process of the cluster, as the lifecycle hooks see it.
 *
 * @example
 * ```ts
 * const onWorkerStart = (worker: WorkerInfo) => console.log(`worker ${worker.id} (pid ${worker.pid}) listening`);
 * ```
 */
export interface WorkerInfo {
  /** The cluster's id for the worker: 1, 2, ... (a replacement gets a new id). */
  readonly id: number;
  readonly pid: number;
}

/**
 * `app.start({ cluster })`: run the app in several processes sharing one port (node:cluster). The
 * process that calls `app.start()` becomes the primary: it forks `workers` copies of the same
 * script, whose own `app.start()` listens. SIGHUP to the primary replaces the workers one by one
 * (a new worker first, the old one stopped gracefully once the new one listens), dropping no
 * request; a crashed worker is restarted with back-off (see `process.maxRestarts`).
 *
 * @example
 * ```ts
 * await app.start({ port: 3000, cluster: { enabled: true, workers: 'auto' } });
 * // kill -HUP <primary pid>   -> rolling restart
 * ```
 */
export interface ClusterOptions {
  /** Run the cluster. Default true once `cluster` is given. */
  enabled?: boolean;
  /** How many workers: `'auto'` (the default) is one per CPU (`os.availableParallelism()`). */
  workers?: 'auto' | number;
  /** How SIGHUP replaces workers: `'rolling'`, one at a time, a new one listening before an old one stops. */
  restartStrategy?: 'rolling';
  /**
   * Milliseconds, or a duration string such as `'5s'`: the pause between two replacements of a
   * rolling restart, and the first wait before a crashed worker is restarted (doubling with each
   * crash in a row, up to 30 s). Default 1 000.
   */
  restartDelay?: Duration;
  /** Called in the primary when a worker listens. */
  onWorkerStart?: (worker: WorkerInfo) => unknown;
  /** Called in the primary when a worker exits, with its exit code (or the signal that ended it). */
  onWorkerExit?: (worker: WorkerInfo, code: number | string) => unknown;
}

/**
 * `app.start({ process })`: keeping the processes alive and within memory.
 *
 * @example
 * ```ts
 * await app.start({ cluster: { enabled: true }, process: { maxRestarts: 10, memoryLimit: '512MB', onMemoryLimit: 'restart' } });
 * ```
 */
export interface ProcessOptions {
  /**
   * Restart a cluster worker that exits without being asked to. Default true. (A single process
   * is restarted by its supervisor: Docker's restart policy, systemd, Kubernetes.)
   */
  autoRestart?: boolean;
  /**
   * How many crashes in a row the primary restarts before it gives up, stops the other workers and
   * exits 1 with a log line. A worker that stays up for a minute clears the count. Default 10.
   */
  maxRestarts?: number;
  /** Resident memory (RSS) a process may use, e.g. `'512MB'` (powers of 1024) or bytes; checked every second. */
  memoryLimit?: number | string;
  /**
   * What happens past `memoryLimit`: `'restart'` (the default) replaces a cluster worker
   * gracefully (a single process stops gracefully and exits 1 for its supervisor to restart it);
   * `'alert'` logs one warning each time the process crosses the limit.
   */
  onMemoryLimit?: 'restart' | 'alert';
}
