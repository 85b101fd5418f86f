/**
 * The base of every coded error of the framework and of its packages: `FrameworkError`, its brand
 * check `isFrameworkError` (which works across duplicate copies of the package), the registries
 * each package declares with `defineErrorCodes`, and core's own registry, `ERROR_CODES`.
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
  FW_ERR_PLUGIN_DEPENDENCY:
    'A plugin needs another plugin, or an app decoration (app.redis, app.db), that nothing registered before it provides; register the provider first.',
  FW_ERR_PLUGIN_INVALID: 'Something that is not a plugin was passed where a plugin was expected.',
  FW_ERR_PLUGIN_DUPLICATE:
    'A plugin was registered twice with different options; register it once, with the options you want.',
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
  FW_ERR_CONFIG:
    'defineConfig() cannot load the configuration: the message lists every missing or invalid environment variable and what to write (never a value).',
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
