import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from '@framework/core';
import type { AuthStore } from '../store/types.ts';

/** What the app keeps between `start` and `callback`, under the state, for one login. */
export interface LoginRecord {
  provider: string;
  /** The PKCE code verifier; only its S256 hash went to the provider. */
  verifier: string;
  /** OIDC only: the value the ID token's `nonce` must carry. */
  nonce?: string;
  returnTo?: string;
  /** The exact `redirect_uri` sent, sent again with the code as RFC 6749 §4.1.3 requires. */
  redirectUri: string;
}

/** How long a started login may take, in milliseconds; also the state cookie's lifetime. */
export const LOGIN_TTL_MS = 10 * 60_000;

/** 256 random bits, base64url: states, PKCE verifiers (43 characters, RFC 7636 §4.1) and nonces. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The PKCE S256 challenge (RFC 7636 §4.2); `plain` is never used. */
export function codeChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function digest(state: string): string {
  return createHash('sha256').update(state).digest('base64url');
}

// The store key and the cookie hold hashes, so neither a store dump nor the cookie reveals a state
// that could be replayed in a callback URL.
function storeKey(state: string): string {
  return `oauth:${digest(state)}`;
}

/**
 * The state cookie's name. On HTTPS the `__Host-` prefix makes browsers refuse one set by a sibling
 * subdomain or over plain HTTP, so another site cannot plant its own state in this browser.
 */
function cookieName(provider: string, secure: boolean): string {
  return secure ? `__Host-fw-oauth-${provider}` : `fw-oauth-${provider}`;
}

/** Keeps the login under its state for `LOGIN_TTL_MS`; a store that cannot answer rejects (503). */
export async function saveLogin(store: AuthStore, state: string, record: LoginRecord): Promise<void> {
  await store.set(storeKey(state), JSON.stringify(record), LOGIN_TTL_MS);
}

/** The login started under `state`, exactly once: a second call (a replayed callback) gets `undefined`. */
export async function takeLogin(store: AuthStore, state: string): Promise<LoginRecord | undefined> {
  const value = await store.take(storeKey(state));
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const read = (key: string): string | undefined => {
    const field: unknown = Reflect.get(parsed, key);
    return typeof field === 'string' ? field : undefined;
  };
  const provider = read('provider');
  const verifier = read('verifier');
  const redirectUri = read('redirectUri');
  if (provider === undefined || verifier === undefined || redirectUri === undefined) return undefined;
  const nonce = read('nonce');
  const returnTo = read('returnTo');
  return {
    provider,
    verifier,
    redirectUri,
    ...(nonce === undefined ? {} : { nonce }),
    ...(returnTo === undefined ? {} : { returnTo }),
  };
}

/**
 * Binds the state to this browser: a short-lived HttpOnly, SameSite=Lax cookie holding its hash
 * (Lax, so the provider's top-level redirect back carries it; Secure on HTTPS).
 */
export function setStateCookie(ctx: Context, provider: string, state: string): void {
  const secure = ctx.protocol === 'https';
  ctx.cookies.set(cookieName(provider, secure), digest(state), {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: LOGIN_TTL_MS / 1000,
  });
}

/**
 * Whether this browser's state cookie holds `state`'s hash (constant-time); clears the cookie
 * either way, as a state is good for one callback.
 */
export function checkStateCookie(ctx: Context, provider: string, state: string): 'match' | 'missing' | 'mismatch' {
  const secure = ctx.protocol === 'https';
  const name = cookieName(provider, secure);
  const cookie = ctx.cookies.get(name);
  ctx.cookies.delete(name, { path: '/', secure });
  if (cookie === undefined || cookie === '') return 'missing';
  const expected = Buffer.from(digest(state));
  const actual = Buffer.from(cookie);
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? 'match' : 'mismatch';
}
