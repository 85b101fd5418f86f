import type { RequestContext } from '../context.ts';
import { FrameworkError } from '../errors.ts';
import { isReply, type Reply } from '../reply.ts';

/** A middleware as the runtime sees it. */
export type RuntimeMiddleware = (ctx: RequestContext, next: (extension?: object) => Promise<Reply>) => unknown;
/**
 * The innermost step: runs the handler and turns its value into a reply. Synchronous when the
 * handler is (no promise at all on that path); a promise otherwise.
 */
export type Terminal = (ctx: RequestContext) => Reply | Promise<Reply>;
/** Turns a middleware's returned value into a reply. */
export type ToReply = (value: unknown, ctx: RequestContext) => Reply | Promise<Reply>;

/**
 * Merges what a middleware passed to `next()` into the context. The spec's style
 * `next({ ...ctx, user })` copies the context's own fields too; those are unchanged and skipped.
 */
function extend(ctx: RequestContext, extension: object): void {
  const target = ctx as unknown as Record<string, unknown>;
  const source = extension as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (target[key] !== value) target[key] = value;
  }
}

/**
 * Composes middleware around a terminal step, once, at start-up. Onion order: each middleware
 * runs before and (after `await next()`) after everything inside it.
 */
export function compose(middlewares: readonly RuntimeMiddleware[], terminal: Terminal, toReply: ToReply): Terminal {
  if (middlewares.length === 0) return terminal;
  const count = middlewares.length;

  // One small state object per middleware level per request; no async wrapper, so a middleware
  // that returns next()'s promise directly adds no extra promise of its own.
  const dispatch = (ctx: RequestContext, index: number): Reply | Promise<Reply> => {
    if (index === count) return terminal(ctx);
    const middleware = middlewares[index]!;
    let called: Promise<Reply> | undefined;
    // next() always returns a promise (middleware `await next()`), even when what runs inside is synchronous.
    const next = (extension?: object): Promise<Reply> => {
      if (called !== undefined) return called;
      if (extension !== undefined && extension !== null && extension !== (ctx as object)) extend(ctx, extension);
      try {
        called = Promise.resolve(dispatch(ctx, index + 1));
      } catch (error) {
        called = Promise.reject(error);
      }
      return called;
    };
    const settle = (result: unknown): Reply | Promise<Reply> => {
      if (result !== undefined) return isReply(result) ? result : toReply(result, ctx);
      if (called !== undefined) return called;
      throw new FrameworkError(
        'FW_ERR_MIDDLEWARE',
        `Middleware ${middleware.name || `#${index + 1}`} returned without calling next() or returning a response. ` +
          'Return next() to continue, or return a value to answer the request.',
      );
    };
    const result = middleware(ctx, next);
    if (called !== undefined && result === called) return called;
    if (result instanceof Promise) return result.then(settle);
    return settle(result);
  };
  return (ctx) => dispatch(ctx, 0);
}
