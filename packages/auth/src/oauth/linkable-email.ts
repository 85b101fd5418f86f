import type { OAuthProfile } from './types.ts';

/**
 * The profile's email when the provider says it verified it, else `undefined`. Link a login to an
 * existing account by email only through this: an unverified address can be anyone's, and linking
 * on it hands that account to whoever typed it at the provider.
 *
 * @example
 * ```ts
 * const email = linkableEmail(profile);
 * const user = (await users.findByLogin(profile.provider, profile.subject)) ?? (email && (await users.findByEmail(email)));
 * ```
 */
export function linkableEmail(profile: OAuthProfile): string | undefined {
  return profile.emailVerified && profile.email !== undefined && profile.email !== '' ? profile.email : undefined;
}
