import cluster from 'node:cluster';
import type { ServerAddress } from '../server/types.ts';
import type { ResolvedStart } from './options.ts';

/** Set in a worker's environment by the primary, so the worker's `app.start()` knows its role. */
export const WORKER_ENV = 'FRAMEWORK_CLUSTER_WORKER';
/** The primary's process settings as its workers receive them (their own `app.start()` may not have them). */
const SHUTDOWN_TIMEOUT_ENV = 'FRAMEWORK_CLUSTER_SHUTDOWN_TIMEOUT';
const MEMORY_LIMIT_ENV = 'FRAMEWORK_CLUSTER_MEMORY_LIMIT';
const ON_MEMORY_LIMIT_ENV = 'FRAMEWORK_CLUSTER_ON_MEMORY_LIMIT';

/** The IPC messages between the primary and its workers. */
export const MESSAGE = {
  /** primary → worker: stop gracefully. */
  shutdown: 'framework:shutdown',
  /**
   * worker → primary: my app started and listens (its own message rather than the cluster's
   * `listening` event, which only node:http servers raise, and which comes before `onStart` hooks).
   */
  listening: 'framework:listening',
  /** worker → primary: a signal reached me and I am stopping; start a replacement. */
  stopping: 'framework:stopping',
  /** worker → primary: my resident memory is over the limit. */
  overMemory: 'framework:over-memory',
} as const;

/** A message a worker sends its primary. */
export type PrimaryMessage =
  | { readonly type: typeof MESSAGE.listening; readonly address: ServerAddress }
  | { readonly type: typeof MESSAGE.stopping }
  | { readonly type: typeof MESSAGE.overMemory; readonly rss: number };

/** Whether this process is a worker forked by the framework's cluster primary. */
export function isClusterWorker(): boolean {
  return cluster.isWorker && process.env[WORKER_ENV] === '1';
}

/** The environment a worker is forked with. */
export function workerEnv(settings: ResolvedStart): Record<string, string> {
  const env: Record<string, string> = {
    [WORKER_ENV]: '1',
    [SHUTDOWN_TIMEOUT_ENV]: String(settings.gracefulShutdown.timeout),
    [ON_MEMORY_LIMIT_ENV]: settings.process.onMemoryLimit,
  };
  if (settings.process.memoryLimit !== undefined) env[MEMORY_LIMIT_ENV] = String(settings.process.memoryLimit);
  return env;
}

/** The primary's settings, as a worker reads them from its environment. */
export function settingsFromPrimary(): {
  readonly timeout: number | undefined;
  readonly memoryLimit: number | undefined;
  readonly onMemoryLimit: 'restart' | 'alert' | undefined;
} {
  const number = (name: string) => {
    const value = Number(process.env[name]);
    return process.env[name] === undefined || !Number.isFinite(value) ? undefined : value;
  };
  const on = process.env[ON_MEMORY_LIMIT_ENV];
  return {
    timeout: number(SHUTDOWN_TIMEOUT_ENV),
    memoryLimit: number(MEMORY_LIMIT_ENV),
    onMemoryLimit: on === 'restart' || on === 'alert' ? on : undefined,
  };
}

/** Sends a message to the primary when the IPC channel is still open. */
export function tellPrimary(message: PrimaryMessage): void {
  if (process.send !== undefined && process.connected) process.send(message);
}
