import type { Context } from '@framework/core';
import type { ApiKeyService } from '../api-keys/api-keys.ts';
import { AuthenticationError } from '../errors.ts';
import type { TokenService } from '../jwt/token-service.ts';
import type { AuthStates } from '../request-auth.ts';
import type { SessionService } from '../session/session-service.ts';
import type { AuthUser, StrategyName } from '../types.ts';

/** The configured strategies, and how a user of an API key is found. */
export interface Strategies<U extends AuthUser> {
  readonly tokens: TokenService | undefined;
  readonly sessions: SessionService | undefined;
  readonly apiKeys: ApiKeyService | undefined;
  /** The user an API key belongs to (serialized), or `undefined` when it belongs to none or the user is gone. */
  readonly keyOwner: (userId: string) => Promise<U | undefined>;
  readonly realm: string;
}

/** `WWW-Authenticate` for a 401 on a route that accepts `accepted` (RFC 9110 §11.6.1; RFC 6750 §3 for Bearer). */
export function challengeFor(accepted: readonly StrategyName[], realm: string, error?: string): string {
  const challenges: string[] = [];
  if (accepted.includes('jwt'))
    challenges.push(`Bearer realm="${realm}"${error === undefined ? '' : `, error="${error}"`}`);
  if (accepted.includes('apiKey')) challenges.push(`ApiKey realm="${realm}"`);
  if (accepted.includes('session')) challenges.push(`Session realm="${realm}"`);
  return challenges.join(', ');
}

/**
 * Authenticates the request with the first of `accepted` whose credentials it carries. Credentials
 * that are there but wrong (a bad token, a revoked key) are a 401 at once: they never fall through
 * to another strategy. Resolves to whether a user was found.
 */
export async function authenticate<U extends AuthUser>(
  ctx: Context,
  accepted: readonly StrategyName[],
  strategies: Strategies<U>,
  states: AuthStates<U>,
): Promise<boolean> {
  const state = states.of(ctx);
  if (state.user !== undefined && state.strategy !== undefined && accepted.includes(state.strategy)) return true;
  for (const strategy of accepted) {
    if (strategy === 'jwt' && strategies.tokens !== undefined) {
      const token = strategies.tokens.bearer(ctx.headers.authorization);
      if (token === undefined) continue;
      const { user, claims } = await strategies.tokens.verify(token);
      Object.assign(state, { strategy, user, claims, sessionId: undefined, apiKey: undefined });
      return true;
    }
    if (strategy === 'apiKey' && strategies.apiKeys !== undefined) {
      const key = strategies.apiKeys.fromRequest(ctx.headers);
      if (key === undefined) continue;
      const record = await strategies.apiKeys.verify(key);
      const challenge = `ApiKey realm="${strategies.realm}", error="invalid_key"`;
      if (record === undefined)
        throw new AuthenticationError('The API key is unknown, revoked or expired; create a new one.', challenge);
      // Every key acts for a user (a person, or a service account of the app's own): ctx.user is
      // always the app's user type, and the key's permissions narrow what that user may do.
      const user = record.userId === undefined ? undefined : await strategies.keyOwner(record.userId);
      if (user === undefined) {
        throw new AuthenticationError(
          "The API key's user does not exist; create a key for an existing user.",
          challenge,
        );
      }
      const apiKey = { id: record.id, name: record.name, permissions: record.permissions };
      Object.assign(state, { strategy, user, apiKey, claims: undefined, sessionId: undefined });
      return true;
    }
    if (strategy === 'session' && strategies.sessions !== undefined) {
      const session = await strategies.sessions.load(ctx);
      if (session === undefined) continue;
      Object.assign(state, {
        strategy,
        user: session.user,
        sessionId: session.id,
        claims: undefined,
        apiKey: undefined,
      });
      return true;
    }
  }
  return false;
}
