export interface StartServicesOptions {
  /** Start a PostgreSQL server (unless DATABASE_URL is set in `env`). */
  postgres?: boolean;
  /** Start a Redis server (unless REDIS_URL is set in `env`). */
  redis?: boolean;
  /** Receives one line per notable event (server ready, env reuse, apt-get install). Default: stderr. */
  log?: (message: string) => void;
  /** Where to look for a preset DATABASE_URL / REDIS_URL. Default: `process.env`. */
  env?: Record<string, string | undefined>;
}

export interface ServiceInfo {
  /** The loopback port the server listens on (127.0.0.1). */
  port: number;
  /** The server's temp dir (data, sockets, pid file); deleted by `stop()`. */
  dir: string;
  /** The server's process id. */
  pid: number;
}

export interface Services {
  /** The variables to hand to the tests: a started server's URL, or the preset value that was reused. */
  env: { DATABASE_URL?: string; REDIS_URL?: string };
  /** The servers that were started (not the reused ones). */
  services: { postgres?: ServiceInfo; redis?: ServiceInfo };
  /** Stops the started servers and deletes their data. Safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Starts a throwaway PostgreSQL and/or Redis on free loopback ports, each with its own temp dir.
 * Installs a missing server with apt-get when running as root on Debian/Ubuntu; otherwise fails
 * with a message that says what to install.
 */
export function startServices(options?: StartServicesOptions): Promise<Services>;
