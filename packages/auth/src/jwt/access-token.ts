import { randomBytes } from 'node:crypto';
import { decodeProtectedHeader, errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { AuthConfigError } from '../errors.ts';
import type { AuthUser } from '../types.ts';
import { joseKey } from './crypto-key.ts';
import { verifyHmacToken } from './hmac-verify.ts';
import type { KeyRing, RingKey } from './keys.ts';
import type { JwtSettings } from './options.ts';
import { invalidToken } from './token-errors.ts';

/**
 * The `typ` header of access tokens (RFC 9068): an ID token or any other JWT is refused.
 *
 * @example
 * ```ts
 * decodeProtectedHeader(token).typ === ACCESS_TOKEN_TYPE;
 * ```
 */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/**
 * The claim holding the refresh-token family (the sign-in) an access token belongs to.
 *
 * @example
 * ```ts
 * const familyId = claims[FAMILY_CLAIM];
 * ```
 */
export const FAMILY_CLAIM = 'fid';

/** Claims the service writes itself; a user field of the same name never replaces them. */
const RESERVED = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'roles', FAMILY_CLAIM, 'id', '__proto__']);

/** Header parameters our tokens carry. Any other (`jku`, `x5u`, `jwk`, `x5c`, `crit`, `b64`…) is refused. */
const HEADER_PARAMETERS = new Set(['alg', 'typ', 'kid']);

/** Compact JWS: three base64url parts, the signature not empty (an unsigned token never gets further). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * A user as tokens carry it: the id, the roles and whatever else the app put on it.
 *
 * @example
 * ```ts
 * const user: TokenUser = { id: '42', roles: ['admin'], tenant: 'acme' };
 * ```
 */
export type TokenUser = AuthUser & Record<string, unknown>;

/**
 * What `signAccessToken` writes besides the user: `iat` (seconds) and the family id.
 *
 * @example
 * ```ts
 * const input: AccessTokenInput = { issuedAt: Math.floor(Date.now() / 1000), familyId: undefined };
 * ```
 */
export interface AccessTokenInput {
  readonly issuedAt: number;
  readonly familyId: string | undefined;
}

/**
 * Signs an access token for `user` with the ring's signing key: `typ: at+jwt`, `sub`, `roles`,
 * `jti`, `iat`, `exp`, `iss`/`aud` when configured, the family id, and the user's other fields.
 *
 * @example
 * ```ts
 * const { token, exp } = await signAccessToken(ring, settings, { id: '1', roles: [] }, { issuedAt, familyId: undefined });
 * ```
 */
export async function signAccessToken(
  ring: KeyRing,
  settings: JwtSettings,
  user: AuthUser,
  input: AccessTokenInput,
): Promise<{ token: string; jti: string; exp: number }> {
  const claims: JWTPayload = {};
  for (const [name, value] of Object.entries(user)) {
    if (RESERVED.has(name) || value === undefined) continue;
    claims[name] = jsonValue(value, name);
  }
  claims.roles = [...user.roles];
  if (input.familyId !== undefined) claims[FAMILY_CLAIM] = input.familyId;
  const jti = randomBytes(16).toString('base64url');
  const exp = input.issuedAt + Math.floor(settings.expiresInMs / 1000);
  const { signer } = ring;
  const jwt = new SignJWT(claims)
    .setProtectedHeader({
      alg: signer.algorithm,
      typ: ACCESS_TOKEN_TYPE,
      ...(signer.kid === undefined ? {} : { kid: signer.kid }),
    })
    .setSubject(user.id)
    .setJti(jti)
    .setIssuedAt(input.issuedAt)
    .setExpirationTime(exp);
  if (settings.issuer !== undefined) jwt.setIssuer(settings.issuer);
  if (settings.audience !== undefined) {
    jwt.setAudience(typeof settings.audience === 'string' ? settings.audience : [...settings.audience]);
  }
  return { token: await jwt.sign(await joseKey(signer.signKey, signer.algorithm)), jti, exp };
}

/** A JSON copy of a user field, so a claim is exactly what a verifier will read back. */
function jsonValue(value: unknown, name: string): unknown {
  if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
    throw new AuthConfigError(
      `The user's field "${name}" is a ${typeof value} and cannot be a token claim; keep only JSON values on the user.`,
      'FW_AUTH_INVALID_ARGUMENT',
    );
  }
  return typeof value === 'object' && value !== null ? JSON.parse(JSON.stringify(value)) : value;
}

/**
 * Checks everything about an access token that needs no store: size, shape, header, key, algorithm,
 * signature, `typ`, `exp`, `nbf`, `iss`, `aud`. Refusals are 401 `FW_AUTH_TOKEN_INVALID`.
 *
 * @example
 * ```ts
 * const claims = await verifyAccessToken(ring, settings, token);
 * claims.sub; // the user id
 * ```
 */
export async function verifyAccessToken(
  ring: KeyRing,
  settings: JwtSettings,
  token: string,
): Promise<JWTPayload & { sub: string; jti: string; exp: number; iat: number; roles: string[] }> {
  // Before any decoding: a 100 kB header costs nothing to refuse here.
  if (typeof token !== 'string' || token === '') throw invalidToken('the token is missing');
  if (token.length > settings.maxTokenLength) throw invalidToken('the token is too long');
  if (!COMPACT_JWS.test(token)) throw invalidToken('the token is not a signed JWT');
  const { key, header } = pickKey(ring, token);
  let claims: JWTPayload;
  try {
    if (key.verifyKey instanceof Uint8Array) {
      claims = verifyHmacToken(token, header, key.verifyKey, key.algorithm, { typ: ACCESS_TOKEN_TYPE, ...settings });
    } else {
      ({ payload: claims } = await jwtVerify(token, await joseKey(key.verifyKey, key.algorithm), {
        // The key's one algorithm: the token's header never chooses (no HS256 made with an RSA public key).
        algorithms: [key.algorithm],
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['exp', 'iat', 'jti', 'sub'],
        clockTolerance: settings.clockToleranceMs / 1000,
        ...(settings.issuer === undefined ? {} : { issuer: settings.issuer }),
        ...(settings.audience === undefined
          ? {}
          : { audience: typeof settings.audience === 'string' ? settings.audience : [...settings.audience] }),
      }));
    }
  } catch (error) {
    if (error instanceof errors.JOSEError) throw invalidToken(describe(error));
    throw error;
  }
  const { sub, jti, exp, iat, roles } = claims;
  if (
    typeof sub !== 'string' ||
    sub === '' ||
    typeof jti !== 'string' ||
    typeof exp !== 'number' ||
    typeof iat !== 'number'
  ) {
    throw invalidToken('the token lacks a required claim');
  }
  if (!Array.isArray(roles) || !roles.every((role): role is string => typeof role === 'string')) {
    throw invalidToken('the token lacks its roles');
  }
  const family = claims[FAMILY_CLAIM];
  if (family !== undefined && typeof family !== 'string') throw invalidToken('the token is malformed');
  return { ...claims, sub, jti, exp, iat, roles };
}

/**
 * The user an access token carries: `sub` as `id`, `roles`, and the claims that are not the
 * service's own.
 *
 * @example
 * ```ts
 * userFromClaims({ sub: '42', roles: ['admin'], tenant: 'acme', jti: 'x', iat: 1, exp: 2 }); // { id: '42', roles: ['admin'], tenant: 'acme' }
 * ```
 */
export function userFromClaims(claims: JWTPayload & { sub: string; roles: string[] }): TokenUser {
  const fields = Object.fromEntries(Object.entries(claims).filter(([name]) => !RESERVED.has(name)));
  return { ...fields, id: claims.sub, roles: claims.roles };
}

/** The key named by the header's `kid`, or the single secret; never a fallback to another key. */
function pickKey(ring: KeyRing, token: string): { key: RingKey; header: Record<string, unknown> } {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw invalidToken('the token header is malformed');
  }
  for (const name of Object.keys(header)) {
    if (!HEADER_PARAMETERS.has(name)) throw invalidToken('the token header has a parameter that is not accepted');
  }
  const { kid, alg } = header;
  let key: RingKey | undefined;
  if (ring.single !== undefined) key = kid === undefined ? ring.single : undefined;
  else if (typeof kid === 'string') key = ring.byKid.get(kid);
  if (key === undefined) throw invalidToken('the token names an unknown key');
  if (alg !== key.algorithm) throw invalidToken('the token algorithm is not accepted');
  return { key, header };
}

function describe(error: InstanceType<typeof errors.JOSEError>): string {
  if (error instanceof errors.JWTExpired) return 'the token expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token algorithm is not accepted';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return 'the token lacks a required claim';
    if (error.claim === 'nbf') return 'the token is not valid yet';
    if (error.claim === 'iss') return 'the token has the wrong issuer';
    if (error.claim === 'aud') return 'the token has the wrong audience';
    if (error.claim === 'typ') return 'the token is not an access token';
    return 'a token claim is invalid';
  }
  return 'the token is malformed';
}
