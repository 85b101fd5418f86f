/**
 * The auth-store keys of the JWT strategy, in one place so that the writers and readers of each
 * agree. Refresh tokens appear only as their SHA-256 hash: a store dump holds no usable token.
 *
 * @example
 * ```ts
 * await store.get(jwtKeys.revokedJti(claims.jti));
 * ```
 */
export const jwtKeys = {
  /** A revoked access token (logout), until its `exp`. */
  revokedJti: (jti: string): string => `jwt:revoked:${jti}`,
  /** A revoked family: refused on every access token carrying its id. */
  familyRevoked: (familyId: string): string => `jwt:family-revoked:${familyId}`,
  /** The user's cut-off (`iat` in seconds): older access tokens are refused ("log out everywhere"). */
  userCutoff: (userId: string): string => `jwt:user-cutoff:${userId}`,
  /** A live refresh token: its family and user. Taken (read and deleted) when used. */
  refresh: (hash: string): string => `jwt:refresh:${hash}`,
  /** Every refresh token issued and not revoked, used or not: how a second use is recognised. */
  refreshSeen: (hash: string): string => `jwt:refresh-seen:${hash}`,
  /** The hashes of a family's refresh tokens. */
  family: (familyId: string): string => `jwt:family:${familyId}`,
  /** The families (sign-ins) of a user. */
  userFamilies: (userId: string): string => `jwt:user-families:${userId}`,
} as const;
