import cluster from 'node:cluster';
import type { ServerAddress, StartOptions } from '../server/types.ts';
import type { ProcessHost } from './host.ts';
import { isClusterWorker, MESSAGE, settingsFromPrimary, tellPrimary } from './messages.ts';
import { type ResolvedShutdown, type ResolvedStart, resolveStartOptions } from './options.ts';
import { runPrimary } from './primary.ts';
import {
  installShutdownHooks,
  megabytes,
  type ShutdownState,
  safeLog,
  sleep,
  stopAndExit,
  watchMemory,
} from './shutdown.ts';

/**
 * How long a stopping worker keeps serving its open connections, every reply with
 * `Connection: close`, before it leaves the cluster: a keep-alive client in the middle of a
 * sequence of requests gets its next answer and reconnects to another worker, instead of having
 * its idle connection closed as it sends on it.
 */
const DRAIN_GRACE = 500;

/** Per app: the shutdown flag its hooks read (installed once), and how to undo the signal handlers. */
interface Managed {
  readonly state: ShutdownState;
  release: (() => void) | undefined;
}
const managed = new WeakMap<object, Managed>();

/**
 * `app.start()`: checks the options, then listens as before when no process management is asked
 * for; otherwise runs the cluster primary, a cluster worker, or a single process with graceful
 * shutdown and memory watching.
 */
export function startApp(view: ProcessHost, options: StartOptions): Promise<ServerAddress> {
  const settings = resolveStartOptions(options);
  const serverOptions: StartOptions = {
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.driver === undefined ? {} : { driver: options.driver }),
  };
  if (isClusterWorker()) return startWorker(view, serverOptions, settings);
  if (settings.cluster.enabled && cluster.isPrimary) return runPrimary({ settings, logger: view.logger });
  if (!settings.gracefulShutdown.enabled && settings.process.memoryLimit === undefined)
    return view.listen(serverOptions);
  return startSingle(view, serverOptions, settings);
}

function managedFor(view: ProcessHost, shutdown: ResolvedShutdown): Managed {
  let entry = managed.get(view.core);
  if (entry === undefined) {
    const created: Managed = { state: { shuttingDown: false, closed: false }, release: undefined };
    entry = created;
    managed.set(view.core, created);
    installShutdownHooks(view, created.state, shutdown);
    // An app stopped by its own code (tests, embedding) gives the signals back.
    view.onClose(() => {
      created.state.closed = true;
      created.release?.();
      created.release = undefined;
    });
  }
  entry.release?.();
  entry.state.shuttingDown = false;
  entry.state.closed = false;
  return entry;
}

/** Listens for SIGTERM and SIGINT until released. */
function onSignals(handler: (signal: NodeJS.Signals) => void): () => void {
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}

async function startSingle(
  view: ProcessHost,
  serverOptions: StartOptions,
  settings: ResolvedStart,
): Promise<ServerAddress> {
  const shutdown = settings.gracefulShutdown;
  const entry = managedFor(view, shutdown);
  const address = await view.listen(serverOptions);
  const begin = (reason: string, exitCode: number) => {
    if (entry.state.shuttingDown) {
      safeLog(view.logger, 'warn', { reason }, `${reason} during shutdown: exiting now`);
      process.exit(1);
    }
    entry.state.shuttingDown = true;
    safeLog(view.logger, 'info', { reason }, `${reason}: shutting down gracefully`);
    const startedAt = Date.now();
    void stopAndExit(
      view,
      entry.state,
      shutdown,
      startedAt,
      () => (shutdown.stopAcceptingConnections ? Promise.resolve() : sleep(shutdown.timeout / 2)),
      exitCode,
    );
  };
  const releases: Array<() => void> = [];
  if (shutdown.enabled) releases.push(onSignals((signal) => begin(signal, 0)));
  const limit = settings.process.memoryLimit;
  if (limit !== undefined) {
    releases.push(
      watchMemory(limit, (rss) => {
        const fields = { rss, memoryLimit: limit };
        if (settings.process.onMemoryLimit === 'alert') {
          safeLog(
            view.logger,
            'warn',
            fields,
            `the process uses ${megabytes(rss)}, over its memory limit of ${megabytes(limit)}`,
          );
        } else {
          begin(`over the memory limit of ${megabytes(limit)} (${megabytes(rss)})`, 1);
        }
      }),
    );
  }
  entry.release = () => {
    for (const release of releases) release();
  };
  return address;
}

async function startWorker(
  view: ProcessHost,
  serverOptions: StartOptions,
  settings: ResolvedStart,
): Promise<ServerAddress> {
  // The primary's settings win: with `framework start --cluster` the worker's own app.start() has none.
  const fromPrimary = settingsFromPrimary();
  const shutdown: ResolvedShutdown = {
    ...settings.gracefulShutdown,
    enabled: true,
    timeout: fromPrimary.timeout ?? settings.gracefulShutdown.timeout,
  };
  const limit = fromPrimary.memoryLimit ?? settings.process.memoryLimit;
  const onMemoryLimit = fromPrimary.onMemoryLimit ?? settings.process.onMemoryLimit;
  const entry = managedFor(view, shutdown);
  const address = await view.listen(serverOptions);
  tellPrimary({ type: MESSAGE.listening, address });

  const begin = (signal: string | undefined) => {
    if (entry.state.shuttingDown) return;
    entry.state.shuttingDown = true;
    if (signal !== undefined) tellPrimary({ type: MESSAGE.stopping });
    const startedAt = Date.now();
    void stopAndExit(view, entry.state, shutdown, startedAt, async () => {
      await sleep(DRAIN_GRACE);
      await leaveCluster(Math.max(0, shutdown.timeout / 2 - DRAIN_GRACE));
    });
  };
  const onMessage = (message: unknown) => {
    if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === MESSAGE.shutdown) {
      begin(undefined);
    }
  };
  process.on('message', onMessage);
  const releases: Array<() => void> = [onSignals((signal) => begin(signal)), () => process.off('message', onMessage)];
  if (limit !== undefined) {
    releases.push(
      watchMemory(limit, (rss) => {
        if (onMemoryLimit === 'restart') tellPrimary({ type: MESSAGE.overMemory, rss });
        else {
          safeLog(
            view.logger,
            'warn',
            { rss, memoryLimit: limit, pid: process.pid },
            `worker ${process.pid} uses ${megabytes(rss)}, over its memory limit of ${megabytes(limit)}`,
          );
        }
      }),
    );
  }
  entry.release = () => {
    for (const release of releases) release();
  };
  return address;
}

/**
 * Closes the worker's listening sockets (the primary hands new connections to the other workers)
 * and waits, up to `bound` milliseconds, for its open connections to end.
 */
function leaveCluster(bound: number): Promise<void> {
  const worker = cluster.worker;
  if (worker === undefined || !worker.isConnected()) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, bound);
    timer.unref();
    worker.once('disconnect', () => {
      clearTimeout(timer);
      resolve();
    });
    worker.disconnect();
  });
}
