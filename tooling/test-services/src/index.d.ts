export interface StartServicesOptions {
  /** Start a PostgreSQL server (unless DATABASE_URL is set in `env`). */
  postgres?: boolean;
  /**
   * Start a Redis server (unless REDIS_URL is set in `env`). `{ persistent: true }` turns on the
   * append-only file (fsync on every write), so its data survives `halt()` and `resume()`.
   */
  redis?: boolean | { persistent?: boolean };
  /** Receives one line per notable event (server ready, env reuse, apt-get install). Default: stderr. */
  log?: (message: string) => void;
  /** Where to look for a preset DATABASE_URL / REDIS_URL. Default: `process.env`. */
  env?: Record<string, string | undefined>;
}

/** A server `startServices()` can start. */
export type ServiceName = 'postgres' | 'redis';

export interface HaltOptions {
  /**
   * The signal the server gets. Default: `SIGINT` for PostgreSQL (fast shutdown: clients are
   * disconnected), `SIGTERM` for Redis. `SIGKILL` makes it a crash (PostgreSQL then runs crash
   * recovery on `resume()`); PostgreSQL's `SIGTERM` waits for clients to disconnect. Whatever the
   * signal, the process group is SIGKILLed after 10 s.
   */
  signal?: NodeJS.Signals;
}

export interface ServiceInfo {
  /** The loopback port the server listens on (127.0.0.1); `resume()` keeps it. */
  readonly port: number;
  /** The server's temp dir (data, sockets, pid file); kept by `halt()`, deleted by `stop()`. */
  readonly dir: string;
  /** The running server's process id: a new one after `resume()`, the last one while halted. */
  readonly pid: number;
}

export interface Services {
  /** The variables to hand to the tests: a started server's URL, or the preset value that was reused. */
  env: { DATABASE_URL?: string; REDIS_URL?: string };
  /** The servers that were started (not the reused ones). */
  services: { postgres?: ServiceInfo; redis?: ServiceInfo };
  /**
   * Stops a started server's process, as a crash or a restart would, but keeps its port (the URL in
   * `env` stays valid for `resume()`) and its data dir. PostgreSQL's data survives a halt; Redis
   * persists nothing (`--save ''`, no AOF), so it comes back empty.
   *
   * Rejects when the server was not started by this call (not requested, or reused from
   * DATABASE_URL / REDIS_URL), is already halted, a halt/resume of it is still under way, or after
   * `stop()`. `stop()` works on a halted server too.
   *
   * @example
   * const services = await startServices({ redis: true });
   * const client = new Redis(services.env.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
   * await services.halt('redis', { signal: 'SIGKILL' }); // a crash
   * await expect(client.ping()).rejects.toThrow();
   * await services.resume('redis');
   * // ioredis reconnects on its own, to the same REDIS_URL
   */
  halt(name: ServiceName, options?: HaltOptions): Promise<void>;
  /**
   * Starts a halted server again on the same port and data dir; resolves once it answers (the same
   * readiness checks as the first start). Rejects when the server is not halted, and when its port
   * was taken in the meantime (it never moves to another port: the URL must stay valid); the server
   * then stays halted and `resume()` may be called again.
   *
   * @example
   * const services = await startServices({ postgres: true });
   * const sql = postgres(services.env.DATABASE_URL);
   * await sql`create table kept (id int)`;
   * await services.halt('postgres');
   * await services.resume('postgres');
   * await sql`select * from kept`; // still there; postgres.js reconnects on its own
   */
  resume(name: ServiceName): Promise<void>;
  /** Stops the started servers (halted or not) and deletes their data. Safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Starts a throwaway PostgreSQL and/or Redis on free loopback ports, each with its own temp dir.
 * Installs a missing server with apt-get when running as root on Debian/Ubuntu; otherwise fails
 * with a message that says what to install.
 *
 * @example
 * const services = await startServices({ postgres: true, redis: true });
 * try {
 *   // services.env.DATABASE_URL, services.env.REDIS_URL
 * } finally {
 *   await services.stop();
 * }
 */
export function startServices(options?: StartServicesOptions): Promise<Services>;
