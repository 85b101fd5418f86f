import { FrameworkError } from '../errors.ts';

/** The codes a `RouterError` can carry. */
export type RouterErrorCode = 'FW_ERR_ROUTE_CONFLICT' | 'FW_ERR_ROUTE_INVALID' | 'FW_ERR_BAD_PATH';

/**
 * An error raised by the router.
 *
 * - `FW_ERR_ROUTE_CONFLICT` and `FW_ERR_ROUTE_INVALID` are thrown by `Router.add` at registration time;
 *   their message names the route(s) and says what to write instead.
 * - `FW_ERR_BAD_PATH` is thrown by `Router.find` when a matched parameter value is not valid
 *   percent-encoding; the app answers it with 400.
 *
 * @example
 * ```ts
 * try { router.add('GET', '/file.:ext', handler); }
 * catch (e) { if (e instanceof RouterError) console.error(e.code, e.message); }
 * ```
 */
export class RouterError extends FrameworkError {
  /** A stable machine-readable code. */
  declare readonly code: RouterErrorCode;

  constructor(code: RouterErrorCode, message: string) {
    super(code, message);
    this.name = 'RouterError';
  }
}

/** A FW_ERR_ROUTE_INVALID error for `pattern`; `reason` says what is wrong and what to write instead. */
export function invalid(pattern: string, reason: string): RouterError {
  return new RouterError('FW_ERR_ROUTE_INVALID', `Invalid route pattern "${pattern}": ${reason}`);
}
