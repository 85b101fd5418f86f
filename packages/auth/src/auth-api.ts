import type { Context, RateLimiter } from '@framework/core';
import type { ApiKeyService } from './api-keys/api-keys.ts';
import { AuthConfigError } from './errors.ts';
import type { TokenService } from './jwt/token-service.ts';
import type { OAuthService } from './oauth/oauth.ts';
import type { LoginResult } from './options.ts';
import type { Passwords, PasswordVerification } from './password/passwords.ts';
import type { Roles } from './rbac/types.ts';
import type { AuthState } from './request-auth.ts';
import type { SessionService } from './session/session-service.ts';
import type { AuthStore } from './store/types.ts';
import type { AuthUser } from './types.ts';

/**
 * `app.auth`: the strategies' services and what spans them (log a user out everywhere, apply a
 * role change to their sessions, check a password with brute-force throttling).
 *
 * @example
 * ```ts
 * await app.auth.logoutEverywhere('42');           // every session and refresh token of user 42
 * await app.auth.updateUser(await db.users.find('42')); // roles changed: effective on the next request
 * const key = await app.auth.apiKeys?.create({ userId: '42', name: 'ci', permissions: ['read:reports'] });
 * ```
 */
export interface AuthApi<Full extends object, U extends AuthUser, R> {
  readonly store: AuthStore;
  readonly tokens: TokenService | undefined;
  readonly sessions: SessionService | undefined;
  readonly apiKeys: ApiKeyService | undefined;
  readonly oauth: OAuthService | undefined;
  readonly passwords: Passwords;
  readonly roles: Roles<R> | undefined;
  /** What tokens and sessions carry of a user (`ctx.user`). */
  serialize(user: Full): U;
  /**
   * Checks a sign-in's password with brute-force throttling: with core's `rateLimit()` registered,
   * a client or account past `suspicious.failedLogins` is refused (429) before the hash is checked,
   * and the outcome is recorded. `stored` is `undefined` for an unknown account: the check takes as
   * long as a wrong password, so the answer's timing does not tell which accounts exist.
   */
  verifyPassword(
    ctx: Context,
    attempt: { account: string; stored: string | undefined; password: string },
  ): Promise<PasswordVerification>;
  /** Ends every session and refresh family of the user, and refuses their access tokens issued before now. */
  logoutEverywhere(userId: string): Promise<void>;
  /** Rewrites what the user's sessions carry (roles removed take effect on their next request). */
  updateUser(user: Full): Promise<void>;
}

/** `app.auth` plus what backs `ctx.login()`, `ctx.logout()` and `ctx.can()`: private to the plugin. */
export interface AuthRuntime<Full extends object, U extends AuthUser, R> extends AuthApi<Full, U, R> {
  /** `ctx.login()`. */
  login(
    ctx: Context,
    state: AuthState,
    user: Full,
    options?: { strategy?: 'session' | 'jwt' },
  ): Promise<LoginResult<U>>;
  /** `ctx.logout()`. */
  logout(ctx: Context, state: AuthState, options?: { everywhere?: boolean; refreshToken?: string }): Promise<void>;
  /** `ctx.can()`. */
  can(
    state: AuthState,
    action: string,
    resource: object | undefined,
    kind: string | undefined,
    owner: ((user: U, resource: object) => boolean) | undefined,
  ): boolean;
}

interface Parts<Full extends object, U extends AuthUser, R> {
  store: AuthStore;
  tokens: TokenService | undefined;
  sessions: SessionService | undefined;
  apiKeys: ApiKeyService | undefined;
  oauth: OAuthService | undefined;
  passwords: Passwords;
  roles: Roles<R> | undefined;
  serialize: (user: Full) => U;
  /** Read per sign-in, so a `rateLimit()` registered after `auth()` is used too. */
  limiter: () => RateLimiter | undefined;
}

/** `app.auth` over the configured services. */
export function createAuthApi<Full extends object, U extends AuthUser, R>(
  parts: Parts<Full, U, R>,
): AuthRuntime<Full, U, R> {
  const { tokens, sessions, passwords, roles, serialize, limiter } = parts;
  return {
    store: parts.store,
    tokens,
    sessions,
    apiKeys: parts.apiKeys,
    oauth: parts.oauth,
    passwords,
    roles,
    serialize,
    async verifyPassword(ctx, { account, stored, password }) {
      const attempts = limiter()?.forContext(ctx);
      await attempts?.check({ key: account });
      const result = await passwords.verify(stored, password);
      if (result.ok) await attempts?.succeed({ key: account });
      else await attempts?.fail({ key: account });
      return result;
    },
    async logoutEverywhere(userId) {
      await Promise.all([sessions?.destroyUser(userId), tokens?.revokeUser(userId)]);
    },
    async updateUser(user) {
      await sessions?.updateUser(serialize(user));
    },
    async login(ctx, state, user, options) {
      const serialized = serialize(user);
      const strategy = options?.strategy ?? (sessions !== undefined ? 'session' : 'jwt');
      if (strategy === 'session') {
        if (sessions === undefined) {
          throw new AuthConfigError(
            "ctx.login(user, { strategy: 'session' }) needs the session strategy: add session: {} to auth({ strategies }).",
          );
        }
        // A new id on every login (no fixation): the service destroys the session the cookie named.
        const session = await sessions.create(ctx, serialized);
        Object.assign(state, {
          strategy,
          user: serialized,
          sessionId: session.id,
          claims: undefined,
          apiKey: undefined,
        });
        return { user: serialized, strategy, sessionId: session.id };
      }
      if (tokens === undefined) {
        throw new AuthConfigError(
          'ctx.login(user) needs the session or jwt strategy: add session: {} or jwt: { secret } to auth({ strategies }).',
        );
      }
      const pair = await tokens.issue(serialized);
      Object.assign(state, { strategy, user: serialized, sessionId: undefined, claims: undefined, apiKey: undefined });
      return { user: serialized, strategy, tokens: pair };
    },
    async logout(ctx, state, options) {
      const user = state.user;
      if (options?.refreshToken !== undefined) await tokens?.revokeRefresh(options.refreshToken);
      if (state.strategy === 'session') await sessions?.destroy(ctx);
      if (state.strategy === 'jwt' && state.claims !== undefined) await tokens?.revokeAccess(state.claims);
      if (options?.everywhere === true && user !== undefined) {
        await Promise.all([sessions?.destroyUser(user.id), tokens?.revokeUser(user.id)]);
      }
      Object.assign(state, {
        strategy: undefined,
        user: undefined,
        sessionId: undefined,
        claims: undefined,
        apiKey: undefined,
      });
    },
    can(state, action, resource, kind, owner) {
      const user = state.user as U | undefined;
      if (user === undefined) return false;
      const isOwner = resource !== undefined && owner?.(user, resource) === true;
      const allowed =
        roles === undefined
          ? false
          : roles.can(user.roles, action, resource, { ...(kind === undefined ? {} : { kind }), isOwner });
      if (!allowed || state.apiKey === undefined) return allowed;
      // An API key narrows its user: the key's own grants must allow the action too.
      return state.apiKey.permissions.some(
        (grant) => grant === '*' || grant === `${action}:*` || (kind !== undefined && grant === `${action}:${kind}`),
      );
    },
  };
}
