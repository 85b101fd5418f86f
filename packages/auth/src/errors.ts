import { defineErrorCodes, FrameworkError, HttpError } from '@framework/core';

/**
 * Every code @framework/auth's errors carry, each with what it means and what to do.
 * `isFrameworkError(error, AUTH_ERROR_CODES)` is true for exactly these.
 *
 * @example
 * ```ts
 * if (isFrameworkError(error, AUTH_ERROR_CODES)) console.error(error.code, AUTH_ERROR_CODES[error.code]);
 * ```
 */
export const AUTH_ERROR_CODES = defineErrorCodes('FW_AUTH_', {
  FW_AUTH_CONFIG:
    'auth() or one of its strategies was configured wrongly (a missing secret, an unknown option, a weak key); the message names the option and what to write.',
  FW_AUTH_UNAUTHENTICATED:
    'The request carries no valid credentials for this route (401 with WWW-Authenticate); sign in, or send the token, session cookie or API key the route accepts.',
  FW_AUTH_FORBIDDEN:
    'The credentials are valid but lack a permission the route requires (403); ask for the role or permission the message names.',
  FW_AUTH_TOKEN_INVALID:
    'A token was refused: bad signature, algorithm not allowed, expired, not yet valid, wrong issuer or audience, revoked, or of the wrong kind (401); sign in again or refresh.',
  FW_AUTH_REFRESH_REUSED:
    'A refresh token was presented a second time: its whole family is revoked, as it may have been stolen (401); sign in again.',
  FW_AUTH_OAUTH:
    'An OAuth or OIDC login failed a check (state, PKCE, nonce, code, an unverified email) and no session was created (400); start the login again.',
  FW_AUTH_STORE_UNAVAILABLE:
    'The auth store (Redis) did not answer, so credentials could not be checked (503 with Retry-After); retry after Retry-After.',
  FW_AUTH_INVALID_ARGUMENT:
    'An auth function was called with an argument it cannot use (a user without an id, a permission with a wildcard); pass what the message says.',
});

/**
 * One of `AUTH_ERROR_CODES`' keys.
 *
 * @example
 * ```ts
 * const code: AuthErrorCode = 'FW_AUTH_CONFIG';
 * ```
 */
export type AuthErrorCode = keyof typeof AUTH_ERROR_CODES;

/**
 * A misuse of auth found in the app's code or configuration (at start-up, or on a bad call): the
 * message says what to change.
 *
 * @example
 * ```ts
 * throw new AuthConfigError('auth({ strategies: { jwt } }) needs secret: set JWT_SECRET (32+ characters).');
 * ```
 */
export class AuthConfigError extends FrameworkError<AuthErrorCode> {
  constructor(message: string, code: AuthErrorCode = 'FW_AUTH_CONFIG') {
    super(code, message);
    this.name = 'AuthConfigError';
  }
}

/**
 * 401: no valid credentials. `challenge` is the `WWW-Authenticate` value (RFC 9110 §11.6.1), e.g.
 * `Bearer realm="app", error="invalid_token"` (RFC 6750 §3) or `Session realm="app"`.
 *
 * @example
 * ```ts
 * throw new AuthenticationError('The access token expired; refresh it.', 'Bearer error="invalid_token"', 'FW_AUTH_TOKEN_INVALID');
 * ```
 */
export class AuthenticationError extends HttpError {
  constructor(message: string, challenge: string, code: AuthErrorCode = 'FW_AUTH_UNAUTHENTICATED') {
    super(401, message, { code, headers: { 'www-authenticate': challenge } });
    this.name = 'AuthenticationError';
  }
}

/**
 * 403: authenticated, without the permission.
 *
 * @example
 * ```ts
 * throw new PermissionError('This route needs the permission write:users.', ['write:users']);
 * ```
 */
export class PermissionError extends HttpError {
  constructor(message: string, required: readonly string[]) {
    super(403, message, { code: 'FW_AUTH_FORBIDDEN', details: { required } });
    this.name = 'PermissionError';
  }
}

/**
 * 503: the auth store did not answer; a request that needs it is refused, never let through.
 *
 * @example
 * ```ts
 * throw new AuthStoreUnavailableError('redis', error);
 * ```
 */
export class AuthStoreUnavailableError extends HttpError {
  constructor(kind: string, cause?: unknown, retryAfterSeconds = 1) {
    super(503, `The auth store (${kind}) did not answer; retry after ${retryAfterSeconds} s.`, {
      code: 'FW_AUTH_STORE_UNAVAILABLE',
      headers: { 'retry-after': String(retryAfterSeconds) },
      cause,
      log: false,
    });
    this.name = 'AuthStoreUnavailableError';
  }
}

/**
 * 400: an OAuth or OIDC callback failed a check; no session was created.
 *
 * @example
 * ```ts
 * throw new OAuthError('The state does not match the login this browser started; start the login again.', 'state');
 * ```
 */
export class OAuthError extends HttpError {
  constructor(message: string, reason: string, cause?: unknown) {
    super(400, message, { code: 'FW_AUTH_OAUTH', details: { reason }, cause });
    this.name = 'OAuthError';
  }
}
