import { AuthenticationError } from '../errors.ts';

/**
 * The 401 for a refused token (RFC 6750 §3.1): `error="invalid_token"`, and a description that is
 * a fixed phrase from this folder, never text taken from the token, so the header cannot be split.
 *
 * @example
 * ```ts
 * throw invalidToken('the token expired');
 * ```
 */
export function invalidToken(description: string): AuthenticationError {
  return new AuthenticationError(
    `The token was refused: ${description}. Sign in again, or use the refresh token for a new access token.`,
    challenge(description),
    'FW_AUTH_TOKEN_INVALID',
  );
}

/**
 * The 401 for a refresh token presented a second time: its family has been revoked.
 *
 * @example
 * ```ts
 * throw refreshReused();
 * ```
 */
export function refreshReused(): AuthenticationError {
  const description = 'the refresh token was already used';
  return new AuthenticationError(
    'This refresh token was already used, so it may have been stolen: every token of its sign-in was revoked. Sign in again.',
    challenge(description),
    'FW_AUTH_REFRESH_REUSED',
  );
}

function challenge(description: string): string {
  return `Bearer realm="app", error="invalid_token", error_description="${description}"`;
}
