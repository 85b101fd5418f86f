import type { AppOptions } from '../app-options.ts';
import type { RequestContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { isReply, mergeHeaders, type Reply } from '../reply.ts';
import { RouterError } from '../router/radix.ts';
import { normalizeRequestPath, uriTooLong } from '../security/hardening.ts';
import { applyNonce } from '../security/headers.ts';
import type { DriverHost, ServerRequest } from '../server/types.ts';
import { releaseUploads } from '../uploads/multipart.ts';
import { ProblemRenderer } from './problem.ts';
import type { CompiledRoute, Hooks, RouteRecord } from './registry.ts';
import { unschemed, unschemedReply } from './route-schema.ts';

const EMPTY_PARAMS: Record<string, string> = Object.freeze(Object.create(null));

function hasBody(body: Reply['body']): boolean {
  if (body === null) return false;
  if (typeof body === 'string' || body instanceof Uint8Array) return body.length > 0;
  return true;
}

/**
 * The request stage, and the core a driver talks to: `handle` takes a request's target to its
 * route, runs it, checks the reply against the route's response schemas, and completes it
 * (upload clean-up, response headers, onResponse hooks, CSP nonce).
 */
export class AppCore extends ProblemRenderer implements DriverHost {
  /** The body limit that applies to a request, for answering `Expect: 100-continue` before reading. */
  bodyLimitFor(method: string, path: string): number {
    try {
      const match = this.router.find(method, path);
      return match?.value.compiled?.bodyLimit ?? this.bodyLimit;
    } catch {
      return this.bodyLimit;
    }
  }

  /**
   * Routes a request, runs it and returns the reply, never throwing. The reply comes back
   * synchronously when nothing on the request's path is asynchronous (no body to read, no async
   * handler, hook or middleware), so a driver can write it without a promise or a microtask.
   */
  handle(request: ServerRequest): Reply | Promise<Reply> {
    if (!this.isReady || this.compiledVersion !== this.version) {
      return this.prepare().then(() => this.handle(request));
    }
    const target = request.url;
    let start = 0;
    if (target.charCodeAt(0) !== 47) {
      // Absolute-form targets (`GET http://host/path`) are routed by their path only (RFC 9112 §3.2.2).
      const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(target);
      if (authority) start = authority[0].length;
    }
    const query = target.indexOf('?', start);
    let path = query === -1 ? (start === 0 ? target : target.slice(start)) : target.slice(start, query);
    if (path === '') path = '/';
    const queryString = query === -1 ? '' : target.slice(query + 1);
    const method = request.method;

    let record: RouteRecord | undefined;
    let params = EMPTY_PARAMS;
    let routingError: unknown;
    try {
      if (target.length > this.limits.maxUrlLength) throw uriTooLong(this.limits.maxUrlLength);
      if (this.strictPaths) path = normalizeRequestPath(path);
      let match = this.router.find(method, path);
      // HEAD is answered by a HEAD route, else by the GET route, and only then by an `all` route.
      if (method === 'HEAD' && (match === null || match.value.method === 'ALL')) {
        match = this.router.find('GET', path) ?? match;
      }
      if (match !== null) {
        record = match.value;
        params = match.params;
      }
    } catch (error) {
      routingError =
        error instanceof RouterError
          ? new HttpError(
              400,
              'The request path contains invalid percent-encoding; encode it with encodeURIComponent.',
              {
                code: 'FW_ERR_BAD_PATH',
              },
            )
          : error;
    }
    const ctx = new this.Ctx(this.runtime, request, method, path, queryString, params);
    const compiled = record?.compiled ?? this.fallback!;
    let result: Reply | Promise<Reply>;
    try {
      if (routingError !== undefined) throw routingError;
      result = compiled.run(ctx);
    } catch (error) {
      return this.failed(error, ctx, compiled);
    }
    if (result instanceof Promise) {
      return result.then(
        (reply) => this.answered(reply, ctx, compiled),
        (error: unknown) => this.failed(error, ctx, compiled),
      );
    }
    return this.answered(result, ctx, compiled);
  }

  /**
   * A route's own reply. On a route that declares response schemas, a 2xx body that none of them
   * covers (`ctx.json(user, 202)` next to a `200` schema, a `Reply` or text built by hand) is
   * refused as a 500 rather than sent unfiltered.
   */
  private answered(reply: Reply, ctx: RequestContext, compiled: CompiledRoute): Reply | Promise<Reply> {
    const table = compiled.responses;
    if (table !== undefined && unschemed(table, reply.status, hasBody(reply.body))) {
      return this.failed(unschemedReply(table, reply.status), ctx, compiled);
    }
    return this.complete(reply, ctx, compiled);
  }

  private async prepare(): Promise<void> {
    if (!this.isReady) await this.ready();
    if (this.compiledVersion !== this.version) this.compile();
  }

  private async failed(error: unknown, ctx: RequestContext, compiled: CompiledRoute): Promise<Reply> {
    return this.complete(await this.renderError(error, ctx, compiled.hooks.onError), ctx, compiled);
  }

  private complete(reply: Reply, ctx: RequestContext, compiled: CompiledRoute): Reply | Promise<Reply> {
    // Temporary upload files the handler did not move; a stream it opened on one stays readable.
    if (compiled.uploads) void releaseUploads(ctx);
    if (ctx.responseHeaders !== undefined) mergeHeaders(reply, ctx.responseHeaders);
    const onResponse = compiled.hooks.onResponse;
    if (onResponse.length > 0) return this.runOnResponse(reply, ctx, onResponse);
    if (this.security.nonce !== undefined) applyNonce(reply, this.security, ctx.cspNonce);
    return reply;
  }

  private async runOnResponse(reply: Reply, ctx: RequestContext, hooks: Hooks['onResponse']): Promise<Reply> {
    let current = reply;
    for (const hook of hooks) {
      try {
        const replaced = await hook(ctx, current);
        if (isReply(replaced)) current = replaced;
      } catch (error) {
        this.logger.error({ err: error }, 'an onResponse hook failed; the reply is sent as it was');
      }
    }
    if (this.security.nonce !== undefined) applyNonce(current, this.security, ctx.cspNonce);
    return current;
  }
}

/**
 * The runtime behind one app; `createApp()` wraps it.
 *
 * @example
 * ```ts
 * const core = createCore({ bodyLimit: 64 * 1024 });
 * ```
 */
export function createCore(options: AppOptions): AppCore {
  return new AppCore(options);
}
