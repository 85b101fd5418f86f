import { availableParallelism } from 'node:os';
import { parseDuration } from '../duration.ts';
import { FrameworkError } from '../errors.ts';
import { checkOptions } from '../options.ts';
import type { StartOptions } from '../server/types.ts';
import { parseSize } from '../uploads/file.ts';
import type { ClusterOptions, GracefulShutdownOptions, ProcessOptions, ShutdownHealth, WorkerInfo } from './types.ts';

/** `gracefulShutdown` with its defaults filled in and its timeout in milliseconds. */
export interface ResolvedShutdown {
  readonly enabled: boolean;
  readonly timeout: number;
  readonly stopAcceptingConnections: boolean;
  readonly healthCheck: (() => ShutdownHealth | Promise<ShutdownHealth>) | undefined;
  readonly onShutdown: (() => unknown) | undefined;
}

/** `cluster` with its defaults filled in. */
export interface ResolvedCluster {
  readonly enabled: boolean;
  readonly workers: number;
  readonly restartDelay: number;
  readonly onWorkerStart: ((worker: WorkerInfo) => unknown) | undefined;
  readonly onWorkerExit: ((worker: WorkerInfo, code: number | string) => unknown) | undefined;
}

/** `process` with its defaults filled in and the memory limit in bytes. */
export interface ResolvedProcess {
  readonly autoRestart: boolean;
  readonly maxRestarts: number;
  readonly memoryLimit: number | undefined;
  readonly onMemoryLimit: 'restart' | 'alert';
}

/** Every process-management option of `app.start()`, checked once. */
export interface ResolvedStart {
  readonly gracefulShutdown: ResolvedShutdown;
  readonly cluster: ResolvedCluster;
  readonly process: ResolvedProcess;
}

/**
 * Checks `app.start()`'s options (unknown keys anywhere fail naming them) and fills in the
 * defaults of the process-management ones.
 */
export function resolveStartOptions(options: StartOptions): ResolvedStart {
  checkOptions('app.start()', options, {
    port: true,
    host: true,
    driver: true,
    gracefulShutdown: true,
    cluster: true,
    process: true,
  });
  return {
    gracefulShutdown: resolveShutdown(options.gracefulShutdown),
    cluster: resolveCluster(options.cluster),
    process: resolveProcess(options.process),
  };
}

function resolveShutdown(options: GracefulShutdownOptions | undefined): ResolvedShutdown {
  checkOptions('app.start({ gracefulShutdown })', options, {
    enabled: true,
    timeout: true,
    stopAcceptingConnections: true,
    healthCheck: true,
    onShutdown: true,
  });
  const given = options ?? {};
  return {
    enabled: options !== undefined && given.enabled !== false,
    timeout: parseDuration(given.timeout ?? 30_000, 'gracefulShutdown.timeout'),
    stopAcceptingConnections: given.stopAcceptingConnections !== false,
    healthCheck: optionalFunction(given.healthCheck, 'gracefulShutdown.healthCheck'),
    onShutdown: optionalFunction(given.onShutdown, 'gracefulShutdown.onShutdown'),
  };
}

function resolveCluster(options: ClusterOptions | undefined): ResolvedCluster {
  checkOptions('app.start({ cluster })', options, {
    enabled: true,
    workers: true,
    restartStrategy: true,
    restartDelay: true,
    onWorkerStart: true,
    onWorkerExit: true,
  });
  const given = options ?? {};
  const workers = given.workers ?? 'auto';
  if (workers !== 'auto' && !(Number.isInteger(workers) && workers >= 1)) {
    throw invalid(`cluster.workers must be 'auto' or a whole number of at least 1; got ${JSON.stringify(workers)}.`);
  }
  if (given.restartStrategy !== undefined && given.restartStrategy !== 'rolling') {
    throw invalid(`cluster.restartStrategy must be 'rolling'; got ${JSON.stringify(given.restartStrategy)}.`);
  }
  return {
    enabled: options !== undefined && given.enabled !== false,
    workers: workers === 'auto' ? availableParallelism() : workers,
    restartDelay: parseDuration(given.restartDelay ?? 1000, 'cluster.restartDelay'),
    onWorkerStart: optionalFunction(given.onWorkerStart, 'cluster.onWorkerStart'),
    onWorkerExit: optionalFunction(given.onWorkerExit, 'cluster.onWorkerExit'),
  };
}

function resolveProcess(options: ProcessOptions | undefined): ResolvedProcess {
  checkOptions('app.start({ process })', options, {
    autoRestart: true,
    maxRestarts: true,
    memoryLimit: true,
    onMemoryLimit: true,
  });
  const given = options ?? {};
  const maxRestarts = given.maxRestarts ?? 10;
  if (!(Number.isInteger(maxRestarts) && maxRestarts >= 0)) {
    throw invalid(`process.maxRestarts must be a whole number (0 or more); got ${JSON.stringify(maxRestarts)}.`);
  }
  const onMemoryLimit = given.onMemoryLimit ?? 'restart';
  if (onMemoryLimit !== 'restart' && onMemoryLimit !== 'alert') {
    throw invalid(`process.onMemoryLimit must be 'restart' or 'alert'; got ${JSON.stringify(onMemoryLimit)}.`);
  }
  let memoryLimit: number | undefined;
  if (given.memoryLimit !== undefined) {
    try {
      memoryLimit = parseSize(given.memoryLimit);
    } catch {
      throw invalid(
        `process.memoryLimit must be a size such as '512MB' or a number of bytes; got ${JSON.stringify(given.memoryLimit)}.`,
      );
    }
  }
  return { autoRestart: given.autoRestart !== false, maxRestarts, memoryLimit, onMemoryLimit };
}

function optionalFunction<F>(value: F | undefined, name: string): F | undefined {
  if (value !== undefined && typeof value !== 'function') throw invalid(`${name} must be a function.`);
  return value;
}

function invalid(message: string): FrameworkError {
  return new FrameworkError('FW_ERR_INVALID_OPTION', message);
}
