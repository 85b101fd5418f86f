import type { KeyObject } from 'node:crypto';
import { checkOptions, type Duration, type KnownOptions, parseDuration } from '@framework/core';
import type { JWK } from 'jose';
import { AuthConfigError } from '../errors.ts';

/**
 * The signature algorithms a token service can use: HMAC with a shared secret (`HS*`), or a key
 * pair (`RS256`, `PS256`, `ES256` on P-256, `EdDSA` on Ed25519) whose public half others can
 * fetch from `jwks()`.
 *
 * @example
 * ```ts
 * const algorithm: JwtAlgorithm = 'ES256';
 * ```
 */
export type JwtAlgorithm = 'HS256' | 'HS384' | 'HS512' | 'RS256' | 'PS256' | 'ES256' | 'EdDSA';

/**
 * Key material for an asymmetric key: a PEM string (PKCS#8 private, SPKI public or an X.509
 * certificate), a JWK, or a Node `KeyObject`.
 *
 * @example
 * ```ts
 * const material: JwtKeyMaterial = process.env.JWT_PRIVATE_KEY_PEM ?? '';
 * ```
 */
export type JwtKeyMaterial = string | JWK | KeyObject;

/**
 * One live key. The first key with a private key (or a secret) signs and puts its `kid` in the
 * header; every key verifies the tokens whose header names its `kid`, with its one algorithm.
 *
 * @example
 * ```ts
 * const key: JwtKey = { kid: '2026-12', algorithm: 'ES256', privateKey: process.env.JWT_KEY_PEM };
 * ```
 */
export interface JwtKey {
  /** The key's id, written in the header of the tokens it signs: letters, digits, `.`, `_`, `-`, `:`, 1 to 128. */
  readonly kid: string;
  /** The one algorithm this key signs and verifies with; a token's header never chooses another. */
  readonly algorithm: JwtAlgorithm;
  /** Asymmetric keys: the private key (signs). Its public key is derived when `publicKey` is absent. */
  readonly privateKey?: JwtKeyMaterial | undefined;
  /** Asymmetric keys: the public key (verifies, and is published by `jwks()`). */
  readonly publicKey?: JwtKeyMaterial | undefined;
  /** HMAC keys: the shared secret, at least as long as the hash (32, 48 or 64 bytes). */
  readonly secret?: string | Uint8Array | undefined;
}

/**
 * Refresh tokens: opaque, rotated on every use, grouped in families so that a stolen one presented
 * twice revokes them all.
 *
 * @example
 * ```ts
 * const refresh: JwtRefreshOptions = { enabled: true, expiresIn: '7d' };
 * ```
 */
export interface JwtRefreshOptions {
  /** Issue refresh tokens. Default `true` when `refresh` is given. */
  enabled?: boolean;
  /** How long one refresh token lives (each rotation starts a new one). Default `'7d'`. */
  expiresIn?: Duration;
  /**
   * Rotation on every use is always on, since detecting a stolen token depends on it: `true` or
   * absent. `false` is refused.
   */
  rotateSecret?: boolean;
}

/**
 * Options of the JWT strategy: a `secret` (HMAC) or `keys` (several live keys, asymmetric or
 * not), the tokens' lifetime and claims, and refresh tokens.
 *
 * @example
 * ```ts
 * const options: JwtOptions = {
 *   secret: process.env.JWT_SECRET,
 *   algorithm: 'HS256',
 *   expiresIn: '15m',
 *   refresh: { enabled: true, expiresIn: '7d', rotateSecret: true },
 * };
 * ```
 */
export interface JwtOptions {
  /** The HMAC secret, at least 32 bytes for HS256 (48 for HS384, 64 for HS512). Or use `keys`. */
  secret?: string | Uint8Array | undefined;
  /** With `secret`: `'HS256'` (default), `'HS384'` or `'HS512'`. Key pairs go in `keys`. */
  algorithm?: JwtAlgorithm;
  /** Several live keys (rotation): the first that can sign signs, all verify, chosen by `kid`. */
  keys?: readonly JwtKey[];
  /** Access-token lifetime. Default `'15m'`. */
  expiresIn?: Duration;
  /** The `iss` claim written and required. */
  issuer?: string;
  /** The `aud` claim written; verification requires one of them. */
  audience?: string | readonly string[];
  /** Clock skew allowed on `exp` and `nbf`. Default `'30s'`, at most 60 seconds. */
  clockTolerance?: Duration;
  /** Longest token accepted, in characters, checked before any cryptography. Default 8192. */
  maxTokenLength?: number;
  /** Refresh tokens; off when absent. */
  refresh?: JwtRefreshOptions;
}

/**
 * `JwtOptions` after validation: times in milliseconds, defaults applied.
 *
 * @example
 * ```ts
 * const settings: JwtSettings = resolveJwtSettings({ secret }, 'auth({ strategies: { jwt } })');
 * ```
 */
export interface JwtSettings {
  readonly where: string;
  readonly expiresInMs: number;
  readonly issuer: string | undefined;
  readonly audience: string | readonly string[] | undefined;
  readonly clockToleranceMs: number;
  readonly maxTokenLength: number;
  readonly refresh: { readonly expiresInMs: number } | undefined;
}

const JWT_OPTIONS: KnownOptions<JwtOptions> = {
  secret: true,
  algorithm: true,
  keys: true,
  expiresIn: true,
  issuer: true,
  audience: true,
  clockTolerance: true,
  maxTokenLength: true,
  refresh: true,
};

const REFRESH_OPTIONS: KnownOptions<JwtRefreshOptions> = { enabled: true, expiresIn: true, rotateSecret: true };

const MAX_CLOCK_TOLERANCE_MS = 60_000;

/**
 * Validates the options that are not keys (those are `createKeyRing`'s), applying defaults.
 * Every refusal is an `AuthConfigError` naming `where` and the option.
 *
 * @example
 * ```ts
 * const settings = resolveJwtSettings({ secret, expiresIn: '10m' }, 'auth({ strategies: { jwt } })');
 * settings.expiresInMs; // 600000
 * ```
 */
export function resolveJwtSettings(options: JwtOptions, where: string): JwtSettings {
  checkOptions(where, options, JWT_OPTIONS);
  const expiresInMs = duration(options.expiresIn ?? '15m', where, 'expiresIn');
  if (expiresInMs < 1000) {
    throw new AuthConfigError(`${where} expiresIn must be at least 1 second; write e.g. expiresIn: '15m'.`);
  }
  const clockToleranceMs = duration(options.clockTolerance ?? '30s', where, 'clockTolerance');
  if (clockToleranceMs > MAX_CLOCK_TOLERANCE_MS) {
    throw new AuthConfigError(
      `${where} clockTolerance is ${clockToleranceMs / 1000} s; at most 60 s is allowed, as a longer one keeps ` +
        `expired tokens usable. Synchronise the servers' clocks (NTP) and write e.g. clockTolerance: '30s'.`,
    );
  }
  const maxTokenLength = options.maxTokenLength ?? 8192;
  if (!Number.isInteger(maxTokenLength) || maxTokenLength < 256 || maxTokenLength > 1_048_576) {
    throw new AuthConfigError(
      `${where} maxTokenLength must be a whole number of characters from 256 to 1048576, e.g. maxTokenLength: 8192; ` +
        `got ${String(maxTokenLength)}.`,
    );
  }
  if (options.issuer !== undefined && (typeof options.issuer !== 'string' || options.issuer === '')) {
    throw new AuthConfigError(`${where} issuer must be a non-empty string, e.g. issuer: 'https://api.example.com'.`);
  }
  const audience = options.audience;
  const audiences = typeof audience === 'string' ? [audience] : audience;
  if (
    audiences !== undefined &&
    (!Array.isArray(audiences) || audiences.length === 0 || audiences.some((a) => typeof a !== 'string' || a === ''))
  ) {
    throw new AuthConfigError(
      `${where} audience must be a non-empty string or a non-empty array of them, e.g. audience: 'my-api'.`,
    );
  }
  return {
    where,
    expiresInMs,
    issuer: options.issuer,
    audience,
    clockToleranceMs,
    maxTokenLength,
    refresh: resolveRefresh(options.refresh, where),
  };
}

function resolveRefresh(refresh: JwtRefreshOptions | undefined, where: string): JwtSettings['refresh'] {
  if (refresh === undefined) return undefined;
  checkOptions(`${where} refresh`, refresh, REFRESH_OPTIONS);
  if (refresh.rotateSecret === false) {
    throw new AuthConfigError(
      `${where} refresh.rotateSecret: false is not supported: every refresh token is replaced on use, because ` +
        `that is how a stolen one is detected (presented twice, it revokes its whole family). ` +
        `Remove rotateSecret or write rotateSecret: true.`,
    );
  }
  if (refresh.enabled === false) return undefined;
  const expiresInMs = duration(refresh.expiresIn ?? '7d', where, 'refresh.expiresIn');
  if (expiresInMs < 60_000) {
    throw new AuthConfigError(`${where} refresh.expiresIn must be at least 1 minute; write e.g. expiresIn: '7d'.`);
  }
  return { expiresInMs };
}

/** core's `parseDuration`, its refusal turned into an AuthConfigError naming the option. */
function duration(value: unknown, where: string, option: string): number {
  try {
    return parseDuration(value, `${where} ${option}`);
  } catch (error) {
    throw new AuthConfigError(error instanceof Error ? error.message : `${where} ${option} is not a duration.`);
  }
}
