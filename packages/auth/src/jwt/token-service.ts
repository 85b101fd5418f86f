import type { JWK, JWTPayload } from 'jose';
import { AuthConfigError } from '../errors.ts';
import type { AuthStore } from '../store/types.ts';
import type { AuthUser } from '../types.ts';
import { FAMILY_CLAIM, signAccessToken, type TokenUser, userFromClaims, verifyAccessToken } from './access-token.ts';
import { bearerToken } from './bearer.ts';
import { withDefaultSecret } from './default-secret.ts';
import { createKeyRing } from './keys.ts';
import { type JwtOptions, resolveJwtSettings } from './options.ts';
import { newFamilyId, RefreshFamilies, type RefreshRecord } from './refresh-family.ts';
import { AccessRevocation } from './revocation.ts';
import { invalidToken, refreshReused } from './token-errors.ts';

/**
 * What a sign-in or a refresh returns to the client (RFC 6749 §5.1 field meanings, camel-cased).
 *
 * @example
 * ```ts
 * const pair: TokenPair = await tokens.issue({ id: '42', roles: ['user'] });
 * ctx.json({ accessToken: pair.accessToken, expiresIn: pair.expiresIn });
 * ```
 */
export interface TokenPair {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  /** Present when refresh tokens are on. */
  readonly refreshToken?: string;
  /** Seconds until the refresh token expires. */
  readonly refreshExpiresIn?: number;
}

/**
 * A verified access token: the user it carries, and all of its claims.
 *
 * @example
 * ```ts
 * const { user, claims } = await tokens.verify(token);
 * ```
 */
export interface VerifiedAccessToken {
  readonly user: TokenUser;
  readonly claims: JWTPayload;
}

/**
 * Issues, verifies, refreshes and revokes the JWT strategy's tokens. Every refusal of a token is a
 * 401 `AuthenticationError` (`FW_AUTH_TOKEN_INVALID`, or `FW_AUTH_REFRESH_REUSED`); a store that
 * does not answer rejects with its `AuthStoreUnavailableError` (503), never with a pass.
 *
 * @example
 * ```ts
 * const tokens = createTokenService({ secret: process.env.JWT_SECRET, refresh: {} }, new MemoryAuthStore());
 * const pair = await tokens.issue({ id: '42', roles: ['user'] });
 * const { user } = await tokens.verify(pair.accessToken);
 * const next = await tokens.refresh(pair.refreshToken ?? '', (id) => users.find(id));
 * ```
 */
export interface TokenService {
  /** Lines to log at start-up: without JWT_SECRET outside production, that tokens will not survive a restart. */
  readonly warnings: readonly string[];
  /** The algorithms of the live keys. */
  readonly algorithms: readonly string[];
  /** Whether refresh tokens are issued (`refresh` given and not disabled). */
  readonly refreshes: boolean;
  /**
   * Signs an access token for the user (and starts a refresh-token family when refresh is on). The
   * user's fields other than `id` and `roles` become claims; registered claims are never replaced.
   */
  issue<U extends AuthUser>(user: U): Promise<TokenPair>;
  /** Checks an access token: signature, algorithm, header, claims and revocation. */
  verify(token: string): Promise<VerifiedAccessToken>;
  /**
   * Replaces a refresh token by a new pair in the same family, reading the user again through
   * `reload` (`undefined`: the user is gone, 401). A second use of a token revokes its family.
   */
  refresh(refreshToken: string, reload: (userId: string) => Promise<AuthUser | undefined>): Promise<TokenPair>;
  /** Logout of one access token: refused until it expires. */
  revokeAccess(claims: JWTPayload): Promise<void>;
  /** Logout of one sign-in: every refresh and access token of the refresh token's family. */
  revokeRefresh(refreshToken: string): Promise<void>;
  /** Log out everywhere: every family of the user and every access token issued before now. */
  revokeUser(userId: string): Promise<void>;
  /** The public keys of the asymmetric keys, for `/.well-known/jwks.json`. */
  jwks(): { keys: JWK[] };
  /** The token of an `Authorization: Bearer <token>` header, or `undefined`. */
  bearer(headerValue: string | undefined): string | undefined;
}

/**
 * Creates the token service of the JWT strategy. The options are checked here, synchronously: a
 * short secret, a mismatched key pair, an unknown option or `refresh.rotateSecret: false` throws an
 * `AuthConfigError` naming `where` and the option.
 *
 * @example
 * ```ts
 * import { createTokenService, MemoryAuthStore } from '@framework/auth';
 *
 * const tokens = createTokenService(
 *   { secret: process.env.JWT_SECRET, expiresIn: '15m', refresh: { enabled: true, expiresIn: '7d' } },
 *   new MemoryAuthStore(),
 * );
 * ```
 */
export function createTokenService(
  options: JwtOptions,
  store: AuthStore,
  where = 'auth({ strategies: { jwt } })',
): TokenService {
  const { options: resolved, warnings } = withDefaultSecret(options, where, process.env);
  const settings = resolveJwtSettings(resolved, where);
  const ring = createKeyRing(resolved, where);
  const revocation = new AccessRevocation(store, {
    accessTtlMs: settings.expiresInMs,
    clockToleranceMs: settings.clockToleranceMs,
  });
  const families =
    settings.refresh === undefined ? undefined : new RefreshFamilies(store, settings.refresh.expiresInMs);

  async function issuePair(user: AuthUser, familyId: string | undefined): Promise<TokenPair> {
    checkUser(user);
    const issuedAt = await revocation.issuedAt(user.id);
    const family = families === undefined ? undefined : (familyId ?? newFamilyId());
    const access = await signAccessToken(ring, settings, user, { issuedAt, familyId: family });
    const pair = { accessToken: access.token, tokenType: 'Bearer' as const, expiresIn: access.exp - issuedAt };
    if (families === undefined || family === undefined || settings.refresh === undefined) return pair;
    const refresh = await families.add({ familyId: family, userId: user.id });
    // A rotation racing the family's revocation (the same token used twice at once): the revoker
    // may have listed the family before this token joined it, so the new token removes itself.
    if (familyId !== undefined && (await revocation.isFamilyRevoked(familyId))) {
      await families.discard(refresh.hash);
      throw invalidToken('the sign-in was revoked');
    }
    return { ...pair, refreshToken: refresh.token, refreshExpiresIn: Math.floor(settings.refresh.expiresInMs / 1000) };
  }

  async function revokeFamily(record: RefreshRecord): Promise<void> {
    // The marker first: from here on no access token of the family passes, and no rotation keeps a token.
    await revocation.revokeFamily(record.familyId);
    if (families !== undefined) await families.revoke(record);
  }

  return {
    warnings,
    algorithms: ring.algorithms,
    refreshes: families !== undefined,
    issue: (user) => issuePair(user, undefined),

    async verify(token) {
      const claims = await verifyAccessToken(ring, settings, token);
      const familyId = claims[FAMILY_CLAIM];
      const revoked = await revocation.isRevoked({
        jti: claims.jti,
        sub: claims.sub,
        iat: claims.iat,
        familyId: typeof familyId === 'string' ? familyId : undefined,
      });
      if (revoked) throw invalidToken('the token was revoked');
      return { user: userFromClaims(claims), claims };
    },

    async refresh(refreshToken, reload) {
      if (families === undefined) {
        throw new AuthConfigError(
          `${where} has no refresh tokens: add refresh: { enabled: true, expiresIn: '7d' } to use refresh().`,
          'FW_AUTH_INVALID_ARGUMENT',
        );
      }
      const use = await families.take(refreshToken);
      if (use.state === 'unknown') throw invalidToken('the refresh token is unknown, expired or revoked');
      if (use.state === 'reused') {
        await revokeFamily(use.record);
        throw refreshReused();
      }
      const { familyId, userId } = use.record;
      if (await revocation.isFamilyRevoked(familyId)) throw invalidToken('the sign-in was revoked');
      const user = await reload(userId);
      if (user === undefined) {
        await revokeFamily(use.record);
        throw invalidToken('the user no longer exists');
      }
      if (user.id !== userId) {
        throw new AuthConfigError(
          `refresh()'s reload was asked for user ${JSON.stringify(userId)} and returned user ${JSON.stringify(user.id)}; return that user, or undefined when it is gone.`,
          'FW_AUTH_INVALID_ARGUMENT',
        );
      }
      return issuePair(user, familyId);
    },

    async revokeAccess(claims) {
      if (typeof claims.jti !== 'string' || typeof claims.exp !== 'number') {
        throw new AuthConfigError(
          'revokeAccess() needs the claims verify() returned (with jti and exp).',
          'FW_AUTH_INVALID_ARGUMENT',
        );
      }
      await revocation.revokeToken(claims.jti, claims.exp);
    },

    async revokeRefresh(refreshToken) {
      const record = await families?.find(refreshToken);
      if (record !== undefined) await revokeFamily(record);
    },

    async revokeUser(userId) {
      await revocation.revokeUser(userId);
      if (families === undefined) return;
      for (const familyId of await families.familiesOf(userId)) await revokeFamily({ familyId, userId });
      await families.forgetUser(userId);
    },

    jwks: () => ({ keys: ring.jwks.keys.map((key) => ({ ...key })) }),
    bearer: bearerToken,
  };
}

function checkUser(user: AuthUser): void {
  if (typeof user !== 'object' || user === null || typeof user.id !== 'string' || user.id === '') {
    throw new AuthConfigError(
      'issue() needs a user with a non-empty string id, e.g. { id: "42", roles: [] }.',
      'FW_AUTH_INVALID_ARGUMENT',
    );
  }
  if (!Array.isArray(user.roles) || !user.roles.every((role) => typeof role === 'string')) {
    throw new AuthConfigError(
      `issue() needs user.roles as an array of strings, e.g. roles: ['user'].`,
      'FW_AUTH_INVALID_ARGUMENT',
    );
  }
}
