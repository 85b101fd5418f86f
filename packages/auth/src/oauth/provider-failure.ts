import { HttpError } from '@framework/core';
import { OAuthError } from '../errors.ts';

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current = error;
  while (typeof current === 'object' && current !== null && chain.length < 8) {
    chain.push(current);
    current = Reflect.get(current, 'cause');
  }
  return chain;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
}

/** An OAuth error code as the provider sent it, kept to its token characters for the message. */
export function errorCode(value: unknown): string {
  return typeof value === 'string' ? value.replace(/[^\w.-]/g, '').slice(0, 64) || 'unknown' : 'unknown';
}

/**
 * True when the failure is the network (refused, reset, DNS, timed out) rather than an answer.
 * fetch rejects with a TypeError ("fetch failed") whose cause is the socket error, and an aborted
 * request with an AbortError or TimeoutError.
 */
export function isUnreachable(error: unknown): boolean {
  return causes(error).some((item) => {
    const name = field(item, 'name');
    const message = field(item, 'message');
    return (
      name === 'AbortError' ||
      name === 'TimeoutError' ||
      (name === 'TypeError' && message === 'fetch failed') ||
      typeof field(item, 'syscall') === 'string'
    );
  });
}

/** The 502 for a provider that did not answer during a login. */
export function unreachable(provider: string, cause: unknown): HttpError {
  return new HttpError(
    502,
    `The ${provider} login could not reach the provider; try again in a moment, and check this server's outbound network if it persists.`,
    { code: 'FW_AUTH_OAUTH', details: { reason: 'unreachable' }, cause },
  );
}

/** The 400 for a code the provider's token endpoint refused (`invalid_grant`: used, expired, PKCE mismatch). */
export function refusedCode(provider: string, code: string, cause: unknown): OAuthError {
  return new OAuthError(
    `${provider} refused the authorization code (${code}): it was already used, has expired, or does not match ` +
      "this login's PKCE verifier. No one was signed in; start the login again.",
    'code',
    cause,
  );
}

/**
 * Turns what openid-client threw while completing a login into the error the client gets: the
 * token endpoint's refusal is `code`, an ID token whose `nonce` differs is `nonce`, a callback that
 * fails a check before the exchange (an `iss` of another issuer: a mix-up, RFC 9207) is `response`,
 * another ID token check is `id_token`, the network is a 502. Anything else (a bug) is rethrown.
 */
export function oidcFailure(provider: string, error: unknown): Error {
  const chain = causes(error);
  if (chain.some((item) => field(item, 'claim') === 'nonce')) {
    return new OAuthError(
      `The ${provider} ID token carries another nonce than this login's: it was issued for another login. ` +
        'No one was signed in; start the login again.',
      'nonce',
      error,
    );
  }
  const first = chain[0];
  if (field(first, 'name') === 'ResponseBodyError')
    return refusedCode(provider, errorCode(field(first, 'error')), error);
  if (isUnreachable(error)) return unreachable(provider, error);
  const code = field(first, 'code');
  if (code === 'OAUTH_INVALID_RESPONSE') {
    return new OAuthError(
      `The ${provider} callback failed a check: its issuer (iss) is not ${provider}'s, or a parameter is missing. ` +
        'No one was signed in; start the login again.',
      'response',
      error,
    );
  }
  if (typeof code === 'string' && code.startsWith('OAUTH_')) {
    return new OAuthError(
      `The ${provider} token response failed a check (${errorCode(code)}); no one was signed in. Start the login again.`,
      'id_token',
      error,
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}
