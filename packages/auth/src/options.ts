import type { ApiKeyOptions } from './api-keys/api-keys.ts';
import type { JwtOptions } from './jwt/options.ts';
import type { OAuthOptions, OAuthProfile, OAuthTokens } from './oauth/types.ts';
import type { PasswordOptions } from './password/passwords.ts';
import type { Roles } from './rbac/types.ts';
import type { SessionOptions } from './session/options.ts';
import type { AuthStore } from './store/types.ts';
import type { AuthUser, StrategyName } from './types.ts';

/**
 * The strategies an app accepts, each configured by its options (the spec's `strategies` object).
 *
 * @example
 * ```ts
 * const strategies: AuthStrategies = {
 *   jwt: { secret: process.env.JWT_SECRET, algorithm: 'HS256', expiresIn: '15m', refresh: { enabled: true, expiresIn: '7d' } },
 *   session: { store: 'redis', secret: process.env.SESSION_SECRET, cookie: { sameSite: 'strict' } },
 *   apiKey: {},
 * };
 * ```
 */
export interface AuthStrategies {
  /** Bearer access tokens (JWT through `jose`) and, with `refresh`, rotating refresh tokens. */
  jwt?: JwtOptions;
  /** An opaque id in a signed cookie, the data in the store. */
  session?: SessionOptions;
  /** Logins through OAuth 2.0 / OIDC providers (Google, GitHub, any OIDC issuer). */
  oauth?: OAuthOptions;
  /** Keys for machine clients, sent in `x-api-key` (or `Authorization: ApiKey <key>`). */
  apiKey?: ApiKeyOptions;
}

/**
 * Options of `auth()`. The user type comes from your own functions: `findUser` loads a user by id,
 * `serialize` says what tokens and sessions carry of it (what `ctx.user` is).
 *
 * @example
 * ```ts
 * const options: AuthOptions<DbUser, { id: string; roles: string[]; name: string }> = {
 *   strategies: { session: {} },
 *   findUser: (id) => db.users.find(id),
 *   serialize: (user) => ({ id: String(user.id), roles: user.roles, name: user.name }),
 * };
 * ```
 */
export interface AuthOptions<Full extends object, U extends AuthUser, R = unknown> {
  strategies: AuthStrategies;
  /** The roles and their permissions (`defineRoles`); without it, `permissions` route options name roles only. */
  roles?: Roles<R>;
  /** Loads a user by id: for refresh tokens (role changes take effect), API keys that belong to a user, OAuth. */
  findUser?: (id: string) => Promise<Full | undefined> | Full | undefined;
  /**
   * What tokens and sessions carry of a user: `ctx.user`. Default: `{ id: String(user.id), roles: user.roles ?? [] }`.
   * Keep it small: it travels in every token.
   */
  serialize?: (user: Full) => U;
  /** An OAuth/OIDC login's user: find them by provider subject, or link by `linkableEmail(profile)`, or create them. `undefined` refuses the login. */
  findOrCreateUser?: (profile: OAuthProfile, tokens: OAuthTokens) => Promise<Full | undefined>;
  /** For `:own` permissions: whether `user` owns `resource` (`ctx.can('write', post)`). */
  owner?: (user: U, resource: object) => boolean;
  /** Where sessions, refresh families, revocations, OAuth attempts and API keys live: `memory` (default) or `redis` (`app.redis` from @framework/cache), or a store of your own. */
  store?: 'memory' | 'redis' | AuthStore;
  /** argon2id parameters for `app.auth.passwords` (OWASP's by default). */
  passwords?: PasswordOptions;
  /** The realm named in `WWW-Authenticate`. Default `app`. */
  realm?: string;
  /** Paths of the routes auth mounts; `false` leaves one out. */
  routes?: {
    /** `POST` with `{ refreshToken }`: a new token pair (with `jwt.refresh`). Default `/auth/refresh`. */
    refresh?: string | false;
    /** The public keys of asymmetric JWT keys (JWKS). Default `/.well-known/jwks.json`. */
    jwks?: string | false;
    /** Where an OAuth login lands when it did not say. Default `/`. */
    afterLogin?: string;
  };
}

/**
 * A route's `auth` option: the strategies that may authenticate it (any of them), `true` for every
 * configured one, or `{ optional: true }` to authenticate when credentials are there and go on
 * without a user otherwise.
 *
 * @example
 * ```ts
 * app.get('/me', { auth: ['jwt', 'session'], handler: (ctx) => ctx.user });
 * app.get('/feed', { auth: { optional: true }, handler: (ctx) => feedFor(ctx.auth.user) });
 * ```
 */
export type AuthRouteOption<S extends StrategyName = StrategyName> =
  | true
  | readonly S[]
  | { readonly strategies?: readonly S[]; readonly optional?: boolean };

/**
 * What `ctx.login()` did: the session it opened, or the tokens it issued (to send to the client).
 *
 * @example
 * ```ts
 * const { tokens } = await ctx.login(user, { strategy: 'jwt' });
 * return tokens;
 * ```
 */
export interface LoginResult<U extends AuthUser> {
  readonly user: U;
  readonly strategy: 'session' | 'jwt';
  readonly sessionId?: string;
  readonly tokens?: import('./jwt/token-service.ts').TokenPair;
}
