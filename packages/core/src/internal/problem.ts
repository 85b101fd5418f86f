import type { RequestContext } from '../context.ts';
import { isFrameworkError, isHttpError, STATUS_TEXT } from '../errors.ts';
import { PROBLEM_TYPE, Reply, type ReplyHeaders } from '../reply.ts';
import { RouteCompiler } from './compile.ts';
import type { Hooks } from './registry.ts';

/**
 * The error stage: `renderError` runs the onError observers and the app's error handler, and
 * `problem` renders what is left as RFC 9457 `application/problem+json`.
 */
export class ProblemRenderer extends RouteCompiler {
  protected async renderError(error: unknown, ctx: RequestContext, observers: Hooks['onError']): Promise<Reply> {
    for (const observer of observers) {
      try {
        await observer(error, ctx);
      } catch (hookError) {
        this.logger.error({ err: hookError }, 'an onError hook failed');
      }
    }
    let current = error;
    if (this.errorHandler) {
      try {
        ctx.statusCode = isHttpError(error) ? error.status : 500;
        ctx.responses = undefined;
        const answer = await this.errorHandler(error as never, ctx as never);
        if (answer !== undefined) return await this.toReply(answer, ctx);
      } catch (handlerError) {
        current = handlerError;
      }
    }
    return this.problem(current, ctx);
  }

  /** The default answer to an error: RFC 9457 problem+json, with no internals unless exposeErrors. */
  problem(error: unknown, ctx: RequestContext | undefined): Reply {
    const headers: ReplyHeaders = { 'content-type': PROBLEM_TYPE };
    if (isHttpError(error)) {
      if (error.log) this.logger.error({ err: error, method: ctx?.method, path: ctx?.path }, error.message);
      for (const [name, value] of Object.entries(error.headers)) headers[name.toLowerCase()] = value;
      const title = STATUS_TEXT[error.status] ?? 'Error';
      const detail = error.expose || this.exposeErrors ? error.message : title;
      const body = { type: 'about:blank', title, status: error.status, detail, code: error.code, ...error.details };
      return new Reply(error.status, headers, JSON.stringify(body));
    }
    this.logger.error({ err: error, method: ctx?.method, path: ctx?.path }, 'unhandled error in a request');
    const body: Record<string, unknown> = {
      type: 'about:blank',
      title: STATUS_TEXT[500],
      status: 500,
      detail: 'An unexpected error occurred; it has been logged.',
    };
    if (this.exposeErrors && error instanceof Error) {
      body.detail = error.message;
      if (isFrameworkError(error)) body.code = error.code;
      body.stack = error.stack?.split('\n').map((line) => line.trim());
    }
    return new Reply(500, headers, JSON.stringify(body));
  }
}
