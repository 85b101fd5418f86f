/**
 * Errors a client can cause: `HttpError` (a `FrameworkError` carrying its status and a message
 * that is safe to show), its subclasses for the common statuses, and `ValidationError` for a
 * request a route schema rejects. Each is recognised by a brand check that works across duplicate
 * copies of the package.
 */

import { FrameworkError, type FrameworkErrorOptions } from './framework-error.ts';

const HTTP_ERROR = Symbol.for('@framework/core/http-error');

/**
 * Reason phrases for the statuses the framework answers with itself.
 *
 * @example
 * ```ts
 * console.log(STATUS_TEXT[413]); // 'Content Too Large'
 * ```
 */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  418: "I'm a Teapot",
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  423: 'Locked',
  424: 'Failed Dependency',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * Options accepted by every `HttpError`.
 *
 * @example
 * ```ts
 * throw new HttpError(402, 'Your trial has ended.', {
 *   code: 'BILLING_TRIAL_ENDED',
 *   details: { upgradeUrl: '/billing' },
 * });
 * ```
 */
export interface HttpErrorOptions extends FrameworkErrorOptions {
  /** A stable machine-readable code, e.g. `FW_ERR_BODY_TOO_LARGE`. */
  code?: string;
  /** Whether `message` may be sent to the client. Defaults to `true` below 500 and `false` from 500. */
  expose?: boolean;
  /** Headers to send with the error response, e.g. `Allow` or `Retry-After`. */
  headers?: Record<string, string>;
  /** Extra members for the `application/problem+json` body (RFC 9457 extension members). */
  details?: Record<string, unknown>;
  /**
   * Whether the app logs the error when it answers it. Default: from 500 up. Pass `false` for an
   * answer that a component already logs once per incident (a dependency's outage, a circuit
   * breaker's 503), so an outage is one log line, not one per request.
   */
  log?: boolean;
}

/**
 * An error that carries an HTTP status. Throw it (or a subclass) from a handler or middleware and
 * the client gets that status with an `application/problem+json` body. It is a `FrameworkError`
 * whose code is free-form (default `FW_ERR_HTTP_<status>`); check it with `isHttpError`.
 *
 * @example
 * ```ts
 * app.get('/users/:id', async (ctx) => {
 *   const user = await findUser(ctx.params.id);
 *   if (!user) throw new HttpError(404, `No user with id ${ctx.params.id}`);
 *   return user;
 * });
 * ```
 */
export class HttpError extends FrameworkError<string> {
  /** The HTTP status code sent to the client. */
  readonly status: number;
  /** Whether the message is safe to send to the client. */
  readonly expose: boolean;
  /** Headers sent with the error response. */
  readonly headers: Record<string, string>;
  /** Extra members added to the problem+json body. */
  readonly details: Record<string, unknown> | undefined;
  /** Whether the app logs this error when it answers it (default: from 500 up). */
  readonly log: boolean;

  constructor(status: number, message?: string, options: HttpErrorOptions = {}) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`HttpError status must be an integer from 400 to 599, got ${status}.`);
    }
    super(options.code ?? `FW_ERR_HTTP_${status}`, message ?? STATUS_TEXT[status] ?? 'Error', {
      cause: options.cause,
    });
    this.name = 'HttpError';
    this.status = status;
    this.expose = options.expose ?? status < 500;
    this.headers = options.headers ?? {};
    this.details = options.details;
    this.log = options.log ?? status >= 500;
  }
}
Object.defineProperty(HttpError.prototype, HTTP_ERROR, { value: true });

/**
 * True when `value` is an `HttpError` from any copy of @framework/core. Use it instead of
 * `instanceof`, which fails when two copies of the package are installed.
 *
 * @example
 * ```ts
 * app.onError((error, ctx) => {
 *   if (isHttpError(error) && error.status === 404) return ctx.html('<h1>Not here</h1>', 404);
 * });
 * ```
 */
export function isHttpError(value: unknown): value is HttpError {
  return typeof value === 'object' && value !== null && (value as { [HTTP_ERROR]?: unknown })[HTTP_ERROR] === true;
}

/**
 * Creates an `HttpError` without `new`.
 *
 * @example
 * ```ts
 * throw createHttpError(409, 'That email is already registered; sign in instead.');
 * ```
 */
export function createHttpError(status: number, message?: string, options?: HttpErrorOptions): HttpError {
  return new HttpError(status, message, options);
}

/**
 * 400: the request is malformed.
 * @example
 * ```ts
 * throw new BadRequestError('The "from" date must be before the "to" date.');
 * ```
 */
export class BadRequestError extends HttpError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(400, message, options);
    this.name = 'BadRequestError';
  }
}
/**
 * 401: the request lacks valid credentials.
 * @example
 * ```ts
 * throw new UnauthorizedError('Sign in first.', { headers: { 'WWW-Authenticate': 'Bearer' } });
 * ```
 */
export class UnauthorizedError extends HttpError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(401, message, options);
    this.name = 'UnauthorizedError';
  }
}
/**
 * 403: the credentials are valid but not allowed to do this.
 * @example
 * ```ts
 * throw new ForbiddenError('Only admins can delete users.');
 * ```
 */
export class ForbiddenError extends HttpError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(403, message, options);
    this.name = 'ForbiddenError';
  }
}
/**
 * 404: there is nothing here.
 * @example
 * ```ts
 * throw new NotFoundError(`No post with id ${ctx.params.id}.`);
 * ```
 */
export class NotFoundError extends HttpError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(404, message, options);
    this.name = 'NotFoundError';
  }
}
/**
 * 409: the request conflicts with the current state.
 * @example
 * ```ts
 * throw new ConflictError('That email is already registered.');
 * ```
 */
export class ConflictError extends HttpError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(409, message, options);
    this.name = 'ConflictError';
  }
}
/**
 * 413: the request body is larger than the limit.
 * @example
 * ```ts
 * throw new PayloadTooLargeError('Uploads are limited to 10 MB.');
 * ```
 */
export class PayloadTooLargeError extends HttpError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(413, message, options);
    this.name = 'PayloadTooLargeError';
  }
}
/**
 * 415: the body's content type is not one this route accepts.
 * @example
 * ```ts
 * throw new UnsupportedMediaTypeError('Send the body as application/json.');
 * ```
 */
export class UnsupportedMediaTypeError extends HttpError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(415, message, options);
    this.name = 'UnsupportedMediaTypeError';
  }
}
/**
 * 422: the request is well-formed but cannot be processed.
 * @example
 * ```ts
 * throw new UnprocessableEntityError('The coupon has expired.');
 * ```
 */
export class UnprocessableEntityError extends HttpError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(422, message, options);
    this.name = 'UnprocessableEntityError';
  }
}
/**
 * 429: too many requests.
 * @example
 * ```ts
 * throw new TooManyRequestsError('Slow down.', { headers: { 'Retry-After': '30' } });
 * ```
 */
export class TooManyRequestsError extends HttpError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(429, message, options);
    this.name = 'TooManyRequestsError';
  }
}
/**
 * 503: a dependency (database, cache, queue) is unavailable.
 * @example
 * ```ts
 * throw new ServiceUnavailableError('The database is unreachable; try again shortly.', { cause: error });
 * ```
 */
export class ServiceUnavailableError extends HttpError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(503, message, options);
    this.name = 'ServiceUnavailableError';
  }
}

/**
 * One problem found while validating a request, as sent to the client.
 *
 * @example
 * ```ts
 * app.onError((error, ctx) => {
 *   if (isValidationError(error)) return ctx.json({ fields: error.issues.map((issue) => issue.path.join('.')) }, 400);
 * });
 * ```
 */
export interface ValidationIssue {
  /** Where the problem is, starting with the part of the request: `['body', 'email']`. */
  path: Array<string | number>;
  /** What is wrong, readable by a person. */
  message: string;
  /** A machine-readable code from the schema library (zod's `invalid_type`, ...) or `invalid`. */
  code: string;
}

/**
 * The part of a request that a schema validates.
 *
 * @example
 * ```ts
 * app.onError((error, ctx) => {
 *   if (isValidationError(error) && error.target === 'query') return ctx.json({ message: 'Check the query.' }, 400);
 * });
 * ```
 */
export type ValidationTarget = 'params' | 'query' | 'body' | 'headers';

/**
 * 400 raised when a route schema rejects the request. Its `issues` are sent to the client in the
 * problem+json body; reshape them in `app.onError` if your API promises another format.
 *
 * @example
 * ```ts
 * app.onError((error, ctx) => {
 *   if (isValidationError(error)) return ctx.json({ errors: error.issues.map((i) => i.message) }, 422);
 * });
 * ```
 */
export class ValidationError extends HttpError {
  /** Every problem found, in schema order. */
  readonly issues: ValidationIssue[];
  /** Which part of the request failed. */
  readonly target: ValidationTarget;

  constructor(target: ValidationTarget, issues: ValidationIssue[]) {
    const first = issues[0];
    const where = first ? first.path.join('.') : target;
    super(400, `Invalid request ${target}: ${where}: ${first?.message ?? 'invalid'}`, {
      code: 'FW_ERR_VALIDATION',
      details: { issues },
    });
    this.name = 'ValidationError';
    this.issues = issues;
    this.target = target;
  }
}
const VALIDATION_ERROR = Symbol.for('@framework/core/validation-error');
Object.defineProperty(ValidationError.prototype, VALIDATION_ERROR, { value: true });

/**
 * True when `value` is a `ValidationError` from any copy of @framework/core.
 *
 * @example
 * ```ts
 * if (isValidationError(error)) console.log(error.issues);
 * ```
 */
export function isValidationError(value: unknown): value is ValidationError {
  return isHttpError(value) && (value as { [VALIDATION_ERROR]?: unknown })[VALIDATION_ERROR] === true;
}
