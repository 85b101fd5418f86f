import type { AuthStore } from '../store/types.ts';
import { jwtKeys } from './store-keys.ts';

/**
 * What an access token is checked against the revocation state by.
 *
 * @example
 * ```ts
 * await revocation.isRevoked({ jti: claims.jti, sub: claims.sub, iat: claims.iat, familyId: undefined });
 * ```
 */
export interface RevocableClaims {
  readonly jti: string;
  readonly sub: string;
  readonly iat: number;
  readonly familyId: string | undefined;
}

/**
 * Access-token revocation: single tokens (logout), families (a stolen refresh token, a logout of
 * one sign-in) and users (log out everywhere). Each marker lives only as long as the tokens it can
 * refuse: the access-token lifetime plus the clock tolerance.
 *
 * A store that fails rejects with its `AuthStoreUnavailableError`: a token is never accepted
 * because its revocation could not be read.
 *
 * @example
 * ```ts
 * const revocation = new AccessRevocation(store, { accessTtlMs: 15 * 60_000, clockToleranceMs: 30_000 });
 * await revocation.revokeToken(claims.jti, claims.exp);
 * ```
 */
export class AccessRevocation {
  private readonly store: AuthStore;
  private readonly toleranceMs: number;
  /** How long an access token can be accepted after it was issued (one second for a raised `iat`). */
  private readonly markerTtlMs: number;

  constructor(store: AuthStore, times: { accessTtlMs: number; clockToleranceMs: number }) {
    this.store = store;
    this.toleranceMs = times.clockToleranceMs + 1000;
    this.markerTtlMs = times.accessTtlMs + this.toleranceMs;
  }

  /** Whether the token was revoked, by itself, by its family or by its user's cut-off. */
  async isRevoked(claims: RevocableClaims): Promise<boolean> {
    const [token, family, cutoff] = await Promise.all([
      this.store.get(jwtKeys.revokedJti(claims.jti)),
      claims.familyId === undefined ? undefined : this.store.get(jwtKeys.familyRevoked(claims.familyId)),
      this.store.get(jwtKeys.userCutoff(claims.sub)),
    ]);
    return token !== undefined || family !== undefined || (cutoff !== undefined && claims.iat < Number(cutoff));
  }

  /** Revokes one access token until `exp` (seconds) plus the tolerance. */
  async revokeToken(jti: string, exp: number): Promise<void> {
    const ttlMs = Math.min(exp * 1000 - Date.now() + this.toleranceMs, this.markerTtlMs);
    if (ttlMs > 0) await this.store.set(jwtKeys.revokedJti(jti), '1', ttlMs);
  }

  /** Refuses every access token carrying the family id. */
  async revokeFamily(familyId: string): Promise<void> {
    await this.store.set(jwtKeys.familyRevoked(familyId), '1', this.markerTtlMs);
  }

  async isFamilyRevoked(familyId: string): Promise<boolean> {
    return (await this.store.get(jwtKeys.familyRevoked(familyId))) !== undefined;
  }

  /**
   * Refuses the user's access tokens issued up to now. The cut-off is the next whole second, as
   * `iat` has one-second precision: a token from earlier in this second is refused too.
   */
  async revokeUser(userId: string): Promise<void> {
    const cutoff = Math.ceil(Date.now() / 1000);
    await this.store.set(jwtKeys.userCutoff(userId), String(cutoff), this.markerTtlMs);
  }

  /**
   * The `iat` for a token issued now: the current second, or the user's cut-off when that is later
   * (a sign-in in the same second as "log out everywhere" must not be refused by it).
   */
  async issuedAt(userId: string): Promise<number> {
    const now = Math.floor(Date.now() / 1000);
    const cutoff = await this.store.get(jwtKeys.userCutoff(userId));
    return cutoff === undefined ? now : Math.max(now, Number(cutoff));
  }
}
