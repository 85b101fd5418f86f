import cluster from 'node:cluster';
import { FrameworkError } from '../errors.ts';
import { createLogger, type Logger } from '../logger.ts';
import { checkOptions } from '../options.ts';
import type { ServerAddress } from '../server/types.ts';
import { resolveStartOptions } from './options.ts';
import { runPrimary } from './primary.ts';
import type { ClusterOptions, GracefulShutdownOptions, ProcessOptions } from './types.ts';

/**
 * `startCluster()`: the script the workers run, and the same cluster, process and shutdown
 * options as `app.start()`.
 *
 * @example
 * ```ts
 * const options: ClusterStartOptions = { exec: 'dist/main.js', cluster: { workers: 4 }, process: { memoryLimit: '512MB' } };
 * ```
 */
export interface ClusterStartOptions {
  /** The script each worker runs; it builds the app and calls `app.start()`. Default: this process's own script. */
  exec?: string;
  /** Arguments for the workers' script. Default: this process's own. */
  args?: readonly string[];
  /** Workers, rolling restarts and lifecycle hooks, as `app.start({ cluster })` takes them (`enabled` is implied). */
  cluster?: ClusterOptions;
  /** Restarts and the memory limit, as `app.start({ process })` takes them. */
  process?: ProcessOptions;
  /** How long each worker may take to stop (`timeout`), as `app.start({ gracefulShutdown })` takes it. */
  gracefulShutdown?: Pick<GracefulShutdownOptions, 'timeout'>;
  /** Where the primary logs worker starts, exits and restarts. Default: JSON lines on stderr. */
  logger?: Logger | false;
}

/**
 * Runs this process as a cluster primary for a script that starts an app, without loading the app
 * here: what `framework start --cluster` does with the built `dist/main.js`. The workers run `exec`;
 * its `app.start()` notices it runs in a worker and listens on the shared port, stopping
 * gracefully when the primary asks. Resolves with the address once every worker listens. SIGHUP
 * restarts the workers one by one; SIGTERM and SIGINT stop them all and exit.
 *
 * @example
 * ```ts
 * import { startCluster } from '@framework/core';
 *
 * const address = await startCluster({ exec: 'dist/main.js', cluster: { workers: 'auto' }, process: { maxRestarts: 10 } });
 * console.log(`serving on ${address.url}`);
 * ```
 */
export function startCluster(options: ClusterStartOptions = {}): Promise<ServerAddress> {
  checkOptions('startCluster()', options, {
    exec: true,
    args: true,
    cluster: true,
    process: true,
    gracefulShutdown: true,
    logger: true,
  });
  if (!cluster.isPrimary) {
    throw new FrameworkError(
      'FW_ERR_SERVER_STATE',
      'startCluster() runs in the primary process; a worker starts its app with app.start().',
    );
  }
  const settings = resolveStartOptions({
    cluster: { ...options.cluster, enabled: true },
    ...(options.process === undefined ? {} : { process: options.process }),
    ...(options.gracefulShutdown === undefined ? {} : { gracefulShutdown: options.gracefulShutdown }),
  });
  return runPrimary({ settings, logger: createLogger(options.logger), exec: options.exec, args: options.args });
}
