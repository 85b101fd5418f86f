import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { JwtAlgorithm } from './options.ts';
import { invalidToken } from './token-errors.ts';

const NODE_HASH: Partial<Record<JwtAlgorithm, string>> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

/** Each secret as a KeyObject, made once: createHmac with raw bytes costs about 15 µs, with a KeyObject 3 µs. */
const secretKeys = new WeakMap<Uint8Array, KeyObject>();

function secretKey(secret: Uint8Array): KeyObject {
  let key = secretKeys.get(secret);
  if (key === undefined) {
    key = createSecretKey(secret);
    secretKeys.set(secret, key);
  }
  return key;
}

/** What the claims are checked against: the settings' issuer, audience and clock tolerance. */
export interface ClaimRules {
  readonly typ: string;
  readonly issuer: string | undefined;
  readonly audience: string | readonly string[] | undefined;
  readonly clockToleranceMs: number;
}

/** A JWT's claims are one JSON object (RFC 7519 §7.2). */
function isClaimsSet(value: unknown): value is JWTPayload {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A media type as RFC 8725 §3.11 compares them: case-insensitive, `application/` optional. */
function mediaType(value: unknown): string | undefined {
  return typeof value === 'string' ? value.toLowerCase().replace(/^application\//, '') : undefined;
}

/**
 * Verifies an HMAC-signed compact JWT synchronously with node:crypto, then its claims, with the
 * same rules and outcomes as jose's `jwtVerify` for the options the token service passes it.
 * jose computes HMACs through WebCrypto, asynchronously on libuv's thread pool; node:crypto does it
 * in place, which halves the CPU a verify costs (apps/bench/RESULTS-auth.md). The caller has checked
 * the token's shape, its header parameters and that `alg` is the key's one algorithm.
 *
 * @example
 * ```ts
 * const claims = verifyHmacToken(token, header, secret, 'HS256', { typ: 'at+jwt', issuer, audience, clockToleranceMs: 30_000 });
 * ```
 */
export function verifyHmacToken(
  token: string,
  header: Readonly<Record<string, unknown>>,
  secret: Uint8Array,
  algorithm: JwtAlgorithm,
  rules: ClaimRules,
): JWTPayload {
  const hash = NODE_HASH[algorithm];
  if (hash === undefined) throw invalidToken('the token algorithm is not accepted');
  const signatureAt = token.lastIndexOf('.');
  const signed = token.slice(0, signatureAt);
  const expected = createHmac(hash, secretKey(secret)).update(signed).digest();
  const given = Buffer.from(token.slice(signatureAt + 1), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw invalidToken('the token signature is invalid');
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(signed.slice(signed.indexOf('.') + 1), 'base64url').toString('utf8'));
  } catch {
    throw invalidToken('the token is malformed');
  }
  if (!isClaimsSet(claims)) throw invalidToken('the token is malformed');
  const payload = claims;
  if (mediaType(header.typ) !== mediaType(rules.typ)) throw invalidToken('the token is not an access token');
  // As jose: a configured issuer or audience makes its claim required too.
  const required = [
    'exp',
    'iat',
    'jti',
    'sub',
    ...(rules.issuer === undefined ? [] : ['iss']),
    ...(rules.audience === undefined ? [] : ['aud']),
  ];
  for (const name of required) {
    if (payload[name] === undefined) throw invalidToken('the token lacks a required claim');
  }
  if (rules.issuer !== undefined && payload.iss !== rules.issuer) throw invalidToken('the token has the wrong issuer');
  if (rules.audience !== undefined) {
    const wanted = typeof rules.audience === 'string' ? [rules.audience] : rules.audience;
    const aud = payload.aud;
    const present =
      typeof aud === 'string' ? wanted.includes(aud) : Array.isArray(aud) && aud.some((one) => wanted.includes(one));
    if (!present) throw invalidToken('the token has the wrong audience');
  }
  const now = Math.floor(Date.now() / 1000);
  const tolerance = rules.clockToleranceMs / 1000;
  if (typeof payload.iat !== 'number') throw invalidToken('a token claim is invalid');
  if (payload.nbf !== undefined) {
    if (typeof payload.nbf !== 'number') throw invalidToken('a token claim is invalid');
    if (payload.nbf > now + tolerance) throw invalidToken('the token is not valid yet');
  }
  if (typeof payload.exp !== 'number') throw invalidToken('a token claim is invalid');
  if (payload.exp <= now - tolerance) throw invalidToken('the token expired');
  return payload;
}
