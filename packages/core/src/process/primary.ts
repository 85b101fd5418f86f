import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../logger.ts';
import type { ServerAddress } from '../server/types.ts';
import { MESSAGE, type PrimaryMessage, workerEnv } from './messages.ts';
import type { ResolvedStart } from './options.ts';
import { megabytes, safeLog, sleep } from './shutdown.ts';
import type { WorkerInfo } from './types.ts';

/** Longest wait between restarts of a crashing worker. */
const MAX_BACKOFF = 30_000;
/** A worker that stays up this long clears the count of crashes in a row. */
const STABLE_AFTER = 60_000;
/** Extra time a retiring worker gets past its own shutdown deadline before it is killed. */
const KILL_GRACE = 2_000;

interface Tracked {
  readonly worker: Worker;
  readonly startedAt: number;
  listening: boolean;
  retiring: boolean;
  readonly exited: Promise<void>;
  /** Settles when the worker reports that its app listens. */
  readonly listened: Promise<void>;
  readonly onListening: () => void;
}

/** What the primary needs to run: the script its workers run, and how. */
export interface PrimaryOptions {
  readonly settings: ResolvedStart;
  readonly logger: Logger;
  /** The script each worker runs; default: the primary's own (`process.argv[1]`). */
  readonly exec?: string | undefined;
  readonly args?: readonly string[] | undefined;
}

/**
 * Runs this process as the cluster's primary: forks the workers, restarts the crashed ones with
 * back-off, replaces them one by one on SIGHUP and when one is over its memory limit, and stops
 * them all gracefully on SIGTERM or SIGINT before exiting. Resolves with the address once every
 * first worker listens.
 */
export function runPrimary(options: PrimaryOptions): Promise<ServerAddress> {
  const { settings, logger } = options;
  const { cluster: clusterOptions, process: processOptions, gracefulShutdown } = settings;
  const live = new Map<number, Tracked>();
  let crashesInRow = 0;
  let shuttingDown = false;
  let rolling: Promise<void> | undefined;
  let rollAgain = false;
  let firstAddress: ServerAddress | undefined;

  cluster.setupPrimary({
    execArgv: workerExecArgv(process.execArgv),
    ...(options.exec === undefined ? {} : { exec: options.exec }),
    ...(options.args === undefined ? {} : { args: [...options.args] }),
  });

  // Unlike the workers' timers, the primary's must keep it alive: between a crash and the restart
  // there may be no worker, and so nothing else holding the event loop open.
  const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  const info = (worker: Worker): WorkerInfo => ({ id: worker.id, pid: worker.process.pid ?? 0 });
  const callHook = (name: string, run: () => unknown) => {
    try {
      Promise.resolve(run()).catch((error: unknown) =>
        safeLog(logger, 'error', { err: error }, `cluster.${name} failed`),
      );
    } catch (error) {
      safeLog(logger, 'error', { err: error }, `cluster.${name} failed`);
    }
  };

  let resolveStarted: (address: ServerAddress) => void = () => {};
  const started = new Promise<ServerAddress>((resolve) => {
    resolveStarted = resolve;
  });

  const fork = (): Tracked => {
    const worker = cluster.fork(workerEnv(settings));
    let onListening = () => {};
    const tracked: Tracked = {
      worker,
      startedAt: Date.now(),
      listening: false,
      retiring: false,
      exited: new Promise((resolve) => worker.once('exit', () => resolve())),
      listened: new Promise((resolve) => {
        onListening = resolve;
      }),
      onListening: () => onListening(),
    };
    live.set(worker.id, tracked);
    worker.on('message', (message: PrimaryMessage) => onMessage(tracked, message));
    worker.once('exit', (code: number | null, signal: string | null) => onExit(tracked, code, signal));
    return tracked;
  };

  const listening = (tracked: Tracked, address: ServerAddress) => {
    const { worker } = tracked;
    tracked.listening = true;
    firstAddress ??= address;
    safeLog(
      logger,
      'info',
      { worker: worker.id, pid: worker.process.pid },
      `worker ${worker.id} listening on ${address.url}`,
    );
    if (clusterOptions.onWorkerStart !== undefined) {
      const hook = clusterOptions.onWorkerStart;
      callHook('onWorkerStart', () => hook(info(worker)));
    }
    tracked.onListening();
    if ([...live.values()].filter((item) => item.listening).length >= clusterOptions.workers)
      resolveStarted(firstAddress);
  };

  const onMessage = (tracked: Tracked, message: PrimaryMessage) => {
    if (typeof message !== 'object' || message === null) return;
    if (message.type === MESSAGE.listening && !tracked.listening) listening(tracked, message.address);
    else if (message.type === MESSAGE.stopping && !tracked.retiring) {
      // The worker got a signal of its own: it stops itself; put a new one in its place.
      tracked.retiring = true;
      if (!shuttingDown) void wait(clusterOptions.restartDelay).then(() => shuttingDown || fork());
    } else if (message.type === MESSAGE.overMemory && !tracked.retiring && !shuttingDown) {
      safeLog(
        logger,
        'warn',
        { worker: tracked.worker.id, rss: message.rss, memoryLimit: processOptions.memoryLimit },
        `worker ${tracked.worker.id} uses ${megabytes(message.rss)}, over its memory limit; replacing it gracefully`,
      );
      void replace(tracked);
    }
  };

  const onExit = (tracked: Tracked, code: number | null, signal: string | null) => {
    live.delete(tracked.worker.id);
    const how = code ?? signal ?? 0;
    if (clusterOptions.onWorkerExit !== undefined) {
      const hook = clusterOptions.onWorkerExit;
      callHook('onWorkerExit', () => hook(info(tracked.worker), how));
    }
    if (shuttingDown || tracked.retiring) return;
    safeLog(
      logger,
      'error',
      { worker: tracked.worker.id, code, signal },
      `worker ${tracked.worker.id} exited unexpectedly (${how})`,
    );
    if (!processOptions.autoRestart) {
      if (live.size === 0) giveUp('every worker exited and process.autoRestart is false');
      return;
    }
    if (Date.now() - tracked.startedAt >= STABLE_AFTER) crashesInRow = 0;
    crashesInRow += 1;
    if (crashesInRow > processOptions.maxRestarts) {
      giveUp(
        `workers crashed ${crashesInRow} times in a row, more than process.maxRestarts (${processOptions.maxRestarts}); ` +
          'fix the crash (see the errors above) or raise process.maxRestarts',
      );
      return;
    }
    const delay = Math.min(MAX_BACKOFF, clusterOptions.restartDelay * 2 ** (crashesInRow - 1));
    safeLog(
      logger,
      'info',
      { delay, restart: crashesInRow },
      `restarting a worker in ${delay} ms (restart ${crashesInRow} of at most ${processOptions.maxRestarts})`,
    );
    void wait(delay).then(() => {
      if (!shuttingDown) fork();
    });
  };

  /** Asks a worker to stop gracefully, and kills it if it is still there past its deadline. */
  const retire = async (tracked: Tracked): Promise<void> => {
    tracked.retiring = true;
    if (tracked.worker.isConnected()) tracked.worker.send({ type: MESSAGE.shutdown });
    else tracked.worker.process.kill('SIGTERM');
    const killed = sleep(gracefulShutdown.timeout + KILL_GRACE).then(() => {
      if (tracked.worker.isDead()) return;
      safeLog(
        logger,
        'error',
        { worker: tracked.worker.id },
        `worker ${tracked.worker.id} did not stop in time; killing it`,
      );
      tracked.worker.process.kill('SIGKILL');
    });
    await Promise.race([tracked.exited, killed]);
    await tracked.exited;
  };

  /** Starts a new worker, waits until it listens, then retires `old`. */
  const replace = async (old: Tracked): Promise<boolean> => {
    old.retiring = true;
    const next = fork();
    const ready = await Promise.race([next.listened.then(() => true), next.exited.then(() => false)]);
    if (!ready) {
      safeLog(
        logger,
        'error',
        { worker: next.worker.id },
        'a replacement worker exited before listening; the old worker keeps serving',
      );
      old.retiring = false;
      return false;
    }
    await retire(old);
    return true;
  };

  const rollingRestart = async () => {
    do {
      rollAgain = false;
      safeLog(logger, 'info', { workers: live.size }, 'rolling restart: replacing the workers one at a time');
      for (const tracked of [...live.values()]) {
        if (shuttingDown) return;
        if (tracked.retiring || tracked.worker.isDead()) continue;
        if (!(await replace(tracked))) return;
        await wait(clusterOptions.restartDelay);
      }
      safeLog(logger, 'info', { workers: live.size }, 'rolling restart done');
    } while (rollAgain && !shuttingDown);
  };

  const stopAll = async (exitCode: number) => {
    shuttingDown = true;
    await Promise.all([...live.values()].map((tracked) => (tracked.retiring ? tracked.exited : retire(tracked))));
    process.exit(exitCode);
  };

  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      safeLog(logger, 'warn', { signal }, `${signal} again during shutdown: exiting now`);
      process.exit(1);
    }
    safeLog(logger, 'info', { signal, workers: live.size }, `${signal}: stopping the workers gracefully`);
    void stopAll(0);
  };

  const giveUp = (reason: string) => {
    if (shuttingDown) return;
    safeLog(logger, 'error', { maxRestarts: processOptions.maxRestarts }, `the cluster primary exits: ${reason}`);
    void stopAll(1);
  };

  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.on('SIGHUP', () => {
    if (shuttingDown) return;
    if (rolling !== undefined) {
      rollAgain = true;
      return;
    }
    rolling = rollingRestart().finally(() => {
      rolling = undefined;
    });
  });

  safeLog(
    logger,
    'info',
    { workers: clusterOptions.workers, pid: process.pid },
    `cluster primary ${process.pid} starting ${clusterOptions.workers} workers`,
  );
  for (let index = 0; index < clusterOptions.workers; index++) fork();
  return started;
}

/**
 * The primary's Node options for its workers, without the ones that run code given on the command
 * line (`-e`, `-p`, `--input-type`): a primary started with `node -e` (as a CLI may do) would
 * otherwise have every worker run that code instead of its script.
 */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let index = 0; index < execArgv.length; index++) {
    const arg = execArgv[index]!;
    if (arg === '-e' || arg === '--eval' || arg === '-p' || arg === '--print') {
      index += 1;
      continue;
    }
    if (/^(?:--eval|--print|--input-type)=/.test(arg) || arg === '-pe') {
      if (arg === '-pe') index += 1;
      continue;
    }
    if (arg === '--input-type') {
      index += 1;
      continue;
    }
    out.push(arg);
  }
  return out;
}
