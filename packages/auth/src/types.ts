/**
 * What tokens and sessions carry about a user: the id and the roles, plus whatever the app's
 * `serialize` adds (a name, a tenant). It is what `ctx.user` is on an authenticated request, read
 * from the token or the session without a database query.
 *
 * @example
 * ```ts
 * const user: AuthUser = { id: '42', roles: ['admin'] };
 * ```
 */
export interface AuthUser {
  readonly id: string;
  readonly roles: readonly string[];
}

/**
 * The strategies a route can accept: `auth: ['jwt', 'session']` lets either authenticate.
 *
 * @example
 * ```ts
 * const accepted: readonly StrategyName[] = ['jwt', 'apiKey'];
 * ```
 */
export type StrategyName = 'jwt' | 'session' | 'apiKey';
