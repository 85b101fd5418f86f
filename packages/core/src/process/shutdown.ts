import type { RequestContext } from '../context.ts';
import type { Logger } from '../logger.ts';
import type { Reply } from '../reply.ts';
import type { ProcessHost } from './host.ts';
import type { ResolvedShutdown } from './options.ts';

/** The path load balancers poll; answered 503 by the process machinery once shutdown has begun. */
export const READINESS_PATH = '/health/ready';

/** Whether this process is shutting down, shared by the hooks and the signal handlers. */
export interface ShutdownState {
  shuttingDown: boolean;
  /** Set once the app's `onClose` hooks ran: stopped by the shutdown, or by the app's own code. */
  closed: boolean;
}

/**
 * Makes the app tell clients that it is going away once `state.shuttingDown` is set: `GET` and
 * `HEAD /health/ready` answer 503 (whatever route the app has there), and every reply carries
 * `Connection: close` so keep-alive clients open their next connection elsewhere instead of
 * having an idle connection closed under a request they are sending.
 */
export function installShutdownHooks(view: ProcessHost, state: ShutdownState, shutdown: ResolvedShutdown): void {
  const unready = async (ctx: RequestContext): Promise<Reply> => {
    let checks: Record<string, unknown> | undefined;
    if (shutdown.healthCheck !== undefined) {
      try {
        checks = (await shutdown.healthCheck()).checks;
      } catch (error) {
        safeLog(view.logger, 'warn', { err: error }, 'the shutdown health check failed');
      }
    }
    return ctx.json({ status: 'unhealthy', shuttingDown: true, ...(checks === undefined ? {} : { checks }) }, 503);
  };
  view.onRequest((ctx: RequestContext) => {
    if (!state.shuttingDown || ctx.path !== READINESS_PATH || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
      return undefined;
    }
    return unready(ctx);
  });
  view.onResponse((_ctx: RequestContext, reply: Reply) => {
    if (state.shuttingDown) reply.headers.connection = 'close';
  });
}

/**
 * Stops the app and exits: `view.stop()` (in-flight requests finish, `onClose` hooks run), then
 * `onShutdown`, then exit 0. The whole is bounded by `shutdown.timeout`, counted from `startedAt`;
 * past it, or when a step throws, the process exits 1 with a log line.
 */
export async function stopAndExit(
  view: ProcessHost,
  state: ShutdownState,
  shutdown: ResolvedShutdown,
  startedAt: number,
  before: () => Promise<void>,
  exitCode = 0,
): Promise<void> {
  const logger = view.logger;
  const left = Math.max(0, shutdown.timeout - (Date.now() - startedAt));
  const deadline = setTimeout(() => {
    logger.error(
      { timeout: shutdown.timeout },
      `graceful shutdown did not finish within ${shutdown.timeout} ms; exiting now. Raise gracefulShutdown.timeout or find what does not stop.`,
    );
    process.exit(1);
  }, left);
  deadline.unref();
  try {
    await before();
    // The app's own signal handler (`process.on('SIGTERM', () => app.stop())`) may be stopping
    // it already: wait for that stop rather than running the onClose hooks a second time.
    // (A timer that holds the process open: once that stop closed the server, nothing else may.)
    while (!view.listening && !state.closed) await new Promise((resolve) => setTimeout(resolve, 20));
    if (!state.closed) await view.stop();
    await shutdown.onShutdown?.();
  } catch (error) {
    logger.error({ err: error }, 'graceful shutdown failed; exiting');
    process.exit(1);
  }
  clearTimeout(deadline);
  process.exit(exitCode);
}

/** A promise that settles after `ms`, without keeping the process alive. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Checks the process's resident memory every second; calls `over` once each time it crosses
 * `limit` (and again only after it went back under). Returns the function that stops checking.
 */
export function watchMemory(limit: number, over: (rss: number) => void): () => void {
  let above = false;
  const timer = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > limit && !above) {
      above = true;
      over(rss);
    } else if (rss <= limit) {
      above = false;
    }
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}

/** Megabytes for log lines. */
export function megabytes(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MB`;
}

/** Logs through the app's logger, never throwing. */
export function safeLog(
  logger: Logger,
  level: 'info' | 'warn' | 'error',
  fields: Record<string, unknown>,
  message: string,
): void {
  try {
    logger[level](fields, message);
  } catch {
    // A logger that throws must not stop a shutdown.
  }
}
