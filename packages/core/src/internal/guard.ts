import type { Context, RequestContext } from '../context.ts';

/**
 * A synchronous check core runs on every route's request after its body was read and before its
 * schemas, middleware and handler (CSRF). Chosen per route at compile time by `applies(method)`,
 * so a route it never concerns pays nothing; it throws an `HttpError` to refuse.
 *
 * @example
 * ```ts
 * const onlyJson: RequestGuard = {
 *   applies: (method) => method === 'POST',
 *   check: (ctx) => {
 *     if (ctx.contentType() !== 'application/json') throw new HttpError(415, 'Send application/json.');
 *   },
 * };
 * ```
 */
export interface RequestGuard {
  applies(method: string): boolean;
  check(ctx: RequestContext): void;
  /**
   * For a `multipart/form-data` request to an upload route: runs instead of `check` once the text
   * fields sent before the first file have arrived (or the body ended), before any file is stored.
   */
  checkFields?(ctx: RequestContext, fields: Readonly<Record<string, string | string[]>>): void;
  /** For a guard that depends on the session (CSRF): a plugin's `csrfSession` export, bound at registration. */
  bindSession?(sessionId: (ctx: Context) => string | undefined, plugin: string): void;
}
