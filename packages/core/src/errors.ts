/**
 * The error family of @framework/core. Every coded error of the framework and of its packages is a
 * `FrameworkError` (brand checked by `isFrameworkError`, which works across duplicate copies of the
 * package); every error a client can cause is an `HttpError` (a `FrameworkError` carrying its
 * status and a message that is safe to show); everything else becomes a 500 whose details are
 * shown only in development. Each package declares its codes with `defineErrorCodes`.
 */

const FRAMEWORK_ERROR = Symbol.for('@framework/core/framework-error');

/**
 * Options accepted by every `FrameworkError`.
 *
 * @example
 * ```ts
 * throw new FrameworkError('FW_ERR_INVALID_OPTION', 'port must be a number: pass port: 3000.', { cause: error });
 * ```
 */
export interface FrameworkErrorOptions {
  /** The underlying error, kept for logs and never sent to the client. */
  cause?: unknown;
}

/**
 * The one base of every coded error of the framework: core's usage errors (a route conflict, a
 * missing plugin, a bad option, thrown at registration or start-up with a message that says what to
 * do), every `HttpError`, and the errors of @framework/db, @framework/cache and @framework/queue.
 * `code` is a key of a registry made by `defineErrorCodes` (`ERROR_CODES` for core's own codes).
 * Check it with `isFrameworkError`, not `instanceof`, which fails when two copies are installed.
 *
 * @example
 * ```ts
 * try { await app.start(); } catch (e) { if (isFrameworkError(e)) console.error(e.code, e.message); }
 *
 * // A package's own error class:
 * const MY_ERROR_CODES = defineErrorCodes('FW_MAIL_', { FW_MAIL_CONFIG: 'The mailer options are invalid; fix them.' });
 * class MailError extends FrameworkError<keyof typeof MY_ERROR_CODES> {}
 * ```
 */
export class FrameworkError<Code extends string = ErrorCode> extends Error {
  /** A stable machine-readable code from the registry of the package that raised the error. */
  readonly code: Code;
  constructor(code: NoInfer<Code>, message: string, options: FrameworkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FrameworkError';
    this.code = code;
  }
}
Object.defineProperty(FrameworkError.prototype, FRAMEWORK_ERROR, { value: true });

/**
 * True when `value` is a `FrameworkError` (an `HttpError` included) from any copy of
 * @framework/core. With a registry from `defineErrorCodes`, true only for the codes it lists, and
 * `code` is narrowed to them: `isFrameworkError(error, DB_ERROR_CODES)` means "an error of the db
 * package".
 *
 * @example
 * ```ts
 * app.onError((error) => {
 *   if (isFrameworkError(error, ERROR_CODES) && error.code === 'FW_ERR_CSRF') metrics.csrf.inc();
 * });
 * ```
 */
export function isFrameworkError(value: unknown): value is FrameworkError<string>;
export function isFrameworkError<const Registry extends ErrorRegistry>(
  value: unknown,
  registry: Registry,
): value is FrameworkError<keyof Registry & string>;
export function isFrameworkError(value: unknown, registry?: ErrorRegistry): value is FrameworkError<string> {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as { [FRAMEWORK_ERROR]?: unknown })[FRAMEWORK_ERROR] !== true) return false;
  if (registry === undefined) return true;
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' && Object.hasOwn(registry, code);
}

/**
 * A registry of error codes: each code with what it means and what to do.
 *
 * @example
 * ```ts
 * const registry: ErrorRegistry = { FW_MAIL_CONFIG: 'The mailer options are invalid; fix them.' };
 * ```
 */
export type ErrorRegistry = Readonly<Record<string, string>>;

/**
 * Declares a package's error codes, each with what it means and what to do. Every key must start
 * with `prefix` (`FW_ERR_` is core's; a package uses `FW_<PACKAGE>_`, e.g. `FW_DB_`), checked by
 * TypeScript and again at load; the result is frozen and typed, so `keyof typeof REGISTRY` is the
 * package's code union and `isFrameworkError(error, REGISTRY)` recognises its errors.
 *
 * @example
 * ```ts
 * export const MAIL_ERROR_CODES = defineErrorCodes('FW_MAIL_', {
 *   FW_MAIL_CONFIG: 'The mailer options are invalid: the message names the option to fix.',
 *   FW_MAIL_UNAVAILABLE: 'The SMTP server did not answer (503); retry after Retry-After.',
 * });
 * export type MailErrorCode = keyof typeof MAIL_ERROR_CODES; // 'FW_MAIL_CONFIG' | 'FW_MAIL_UNAVAILABLE'
 * ```
 */
export function defineErrorCodes<const Prefix extends `FW_${string}_`, const Codes extends ErrorRegistry>(
  prefix: Prefix,
  codes: Codes & { readonly [Key in keyof Codes]: Key extends `${Prefix}${string}` ? string : never },
): Readonly<Codes> {
  if (!/^FW_[A-Z0-9]+_$/.test(prefix)) {
    throw new TypeError(`defineErrorCodes: the prefix "${prefix}" must look like FW_ERR_ or FW_<PACKAGE>_ (capitals).`);
  }
  for (const [code, meaning] of Object.entries(codes)) {
    if (!code.startsWith(prefix) || !/^[A-Z0-9_]+$/.test(code)) {
      throw new TypeError(
        `defineErrorCodes: the code "${code}" must start with ${prefix} and use only A-Z, 0-9 and _.`,
      );
    }
    if (typeof meaning !== 'string' || meaning.trim() === '') {
      throw new TypeError(`defineErrorCodes: the code ${code} needs a description of what it means and what to do.`);
    }
  }
  return Object.freeze({ ...codes });
}

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

/**
 * Every coded error @framework/core raises, with what it means.
 *
 * @example
 * ```ts
 * if (error.code === 'FW_ERR_PLUGIN_DEPENDENCY') console.log(ERROR_CODES.FW_ERR_PLUGIN_DEPENDENCY);
 * ```
 */
export const ERROR_CODES = defineErrorCodes('FW_ERR_', {
  FW_ERR_ROUTE_CONFLICT: 'Two routes for one method match the same paths.',
  FW_ERR_ROUTE_INVALID: 'A route pattern is malformed.',
  FW_ERR_BAD_PATH: 'A request path parameter is not valid percent-encoding (answered with 400).',
  FW_ERR_ROUTE_OPTION: 'A route sets an option that no registered plugin provides.',
  FW_ERR_PLUGIN_DEPENDENCY: 'A plugin needs another plugin that is not registered before it.',
  FW_ERR_PLUGIN_INVALID: 'Something that is not a plugin was passed where a plugin was expected.',
  FW_ERR_DECORATION_EXISTS: 'Two plugins decorate the app or the context with the same name.',
  FW_ERR_SERVER_STATE: 'The server was started twice or stopped before it started.',
  FW_ERR_SERVER_DRIVER: 'The server driver asked for is unknown or cannot load here.',
  FW_ERR_INVALID_HEADER: 'A response header name or value is invalid.',
  FW_ERR_INVALID_COOKIE: 'A cookie name, value or attribute is invalid.',
  FW_ERR_MIDDLEWARE: 'A middleware neither called next() nor returned a response.',
  FW_ERR_RESPONSE_VALIDATION: 'A handler returned a body that its response schema rejects.',
  FW_ERR_RESPONSE_SCHEMA_MISSING:
    "A route that declares response schemas has none for a 2xx status it answers (start-up error for its static status; a 500 at run time, the body not sent). Add that status, '2xx' or 'default' to schema.response.",
  FW_ERR_SCHEMA_INVALID:
    'A route schema has an unknown key, or a part that is not a Standard Schema (e.g. a plain JSON Schema object).',
  FW_ERR_COOKIE_SECRET:
    'Signed cookies (or a plugin that needs them) have no secret, or it is shorter than 32 characters: set COOKIE_SECRET or createApp({ cookies: { secret } }).',
  FW_ERR_SECURITY_OPTIONS: 'The security header options (app.security(), createApp({ security })) are invalid.',
  FW_ERR_TRUST_PROXY: 'The trustProxy setting names something that is not an address, a range or a preset.',
  FW_ERR_CORS_OPTIONS: 'cors() was given an unsafe or malformed option (e.g. origin "*" with credentials).',
  FW_ERR_CORS_PREFLIGHT: 'A CORS preflight carried a malformed or oversized Access-Control-Request-Headers (400).',
  FW_ERR_CSRF: 'An unsafe cookie-authenticated request failed the CSRF check (403); send the token from ctx.csrfToken.',
  FW_ERR_CSRF_OPTIONS: 'The CSRF options are malformed, or ctx.csrfToken was read with CSRF protection off.',
  FW_ERR_URI_TOO_LONG: 'The request target is longer than server.maxUrlLength (answered with 414).',
  FW_ERR_AMBIGUOUS_PATH:
    'The request path has dot-segments, "//", a backslash or %00, which a file server could resolve differently from the router (answered with 400).',
  FW_ERR_TOO_MANY_PARAMS:
    'The query string or urlencoded body has more parameters, or more values for one key, than createApp({ query }) allows (answered with 400).',
  FW_ERR_INVALID_REDIRECT: 'A redirect target contains CR, LF or another control character (answered with 400).',
  FW_ERR_UNSAFE_REDIRECT:
    'A redirect target would send the client to another site without { allowExternal: true } or an allowed host (answered with 400).',
  FW_ERR_SUSPICIOUS_INPUT:
    "The sanitizer in 'reject' mode matched an attack pattern in the request (answered with 400).",
  FW_ERR_UPLOAD_CONFIG: 'An upload() or file() option is invalid, or scan: true is set with no scanner.',
  FW_ERR_UPLOAD_SHARP_MISSING: 'An image option needs sharp, which is not installed (npm install sharp).',
  // Upload answers (HttpError codes): 400 malformed, 413 limits, 415 type, 422 content, 503 scanner.
  FW_ERR_MULTIPART_BOUNDARY: 'The multipart boundary is missing, longer than 70 characters or invalid (400).',
  FW_ERR_MULTIPART_MALFORMED: 'The multipart body is malformed or truncated (400).',
  FW_ERR_MULTIPART_FIELD_NAME: 'A multipart part is named __proto__, constructor or prototype, or has no name (400).',
  FW_ERR_MULTIPART_FIELD:
    'A multipart part is an undeclared or repeated file, or a text field where a file is declared (400).',
  FW_ERR_MULTIPART_LIMIT: 'A multipart body has too many parts, files or fields, or a field too large (413).',
  FW_ERR_FILE_TOO_LARGE: 'An uploaded file is larger than its maxSize (413).',
  FW_ERR_UPLOAD_TYPE: 'An uploaded file’s content (by its magic bytes) is not an allowed type (415).',
  FW_ERR_UPLOAD_CONTENT_MISMATCH: 'A file declared as an image is HTML, SVG or script (422).',
  FW_ERR_IMAGE_TOO_LARGE: 'An uploaded image’s dimensions exceed maxDimensions or maxPixels (422).',
  FW_ERR_IMAGE_INVALID: 'An uploaded image could not be decoded (422).',
  FW_ERR_MALWARE_DETECTED: 'The malware scanner flagged an uploaded file (422).',
  FW_ERR_SCANNER_UNAVAILABLE: 'The malware scanner failed or was unreachable, so the upload was refused (503).',
  FW_ERR_INVALID_OPTION: 'An option passed to the app or a plugin has an invalid value.',
  FW_ERR_DEPENDENCY_UNAVAILABLE:
    'A dependency (Redis, PostgreSQL) is not answering and its circuit breaker is open (503 with Retry-After).',
  FW_ERR_UNKNOWN_OPTION: 'An options object has a key the app or plugin does not know (usually a typo).',
  FW_ERR_PRODUCTION_DEFAULT:
    'In production with strict mode, a plugin would fall back to a development default (embedded database, inline jobs, per-process key).',
  FW_ERR_RATE_LIMITED:
    'The client sent too many requests or is blocked for a while (answered with 429 and Retry-After).',
  FW_ERR_CAPTCHA_REQUIRED: 'Too many failed attempts: the client must complete a challenge before trying again (429).',
  FW_ERR_RATE_LIMIT_UNAVAILABLE:
    'The rate-limit store failed and the limiter is set to fail closed (answered with 503).',
  // Answers of the request pipeline itself (HttpError codes).
  FW_ERR_NOT_FOUND: 'No route matches the method and path (404); check the URL, or register the route.',
  FW_ERR_METHOD_NOT_ALLOWED: 'The path exists but not for this method (405); use a method from the Allow header.',
  FW_ERR_REQUEST_TIMEOUT: 'The request body did not arrive within the server timeout (408); send it faster or in full.',
  FW_ERR_BODY_TOO_LARGE:
    'The request body is larger than the route or app body limit (413); send less, or raise the limit.',
  FW_ERR_BODY_ABORTED: 'The client closed the connection before sending the whole body (400); send the body again.',
  FW_ERR_BODY_READ: 'The request body could not be read from the connection (400); send the request again.',
  FW_ERR_UNSUPPORTED_MEDIA_TYPE:
    'The body has no Content-Type or one the route does not accept (415); send a type the message lists.',
  FW_ERR_UNSUPPORTED_CHARSET: 'The body is in a charset other than UTF-8 (415); send it as UTF-8.',
  FW_ERR_INVALID_UTF8: 'The body is not valid UTF-8 (400); encode it as UTF-8.',
  FW_ERR_EMPTY_JSON: 'A JSON body was expected and the body is empty (400); send a JSON document.',
  FW_ERR_INVALID_JSON:
    'The body is not valid JSON, or has a __proto__ or constructor.prototype key (400); send valid JSON without them.',
  FW_ERR_BAD_ENCODING:
    'The query string or urlencoded body has invalid percent-encoding (400); encode it with encodeURIComponent.',
  FW_ERR_VALIDATION:
    'A route schema rejected the params, query, body or headers (400); the issues in the body say which field to fix.',
});

/**
 * A code of core's own errors (a key of `ERROR_CODES`); the default code type of `FrameworkError`.
 *
 * @example
 * ```ts
 * const explain = (code: ErrorCode) => `${code}: ${ERROR_CODES[code]}`;
 * explain('FW_ERR_ROUTE_CONFLICT'); // 'FW_ERR_ROUTE_CONFLICT: Two routes for one method match the same paths.'
 * ```
 */
export type ErrorCode = keyof typeof ERROR_CODES;
