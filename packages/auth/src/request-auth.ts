import type { Context } from '@framework/core';
import type { AuthUser, StrategyName } from './types.ts';

/**
 * `ctx.auth`: what authenticated the request, if anything. Filled by a route's `auth` (or
 * `permissions`) check and by `ctx.login()`; `user` is `undefined` on a request nothing has
 * authenticated.
 *
 * @example
 * ```ts
 * app.get('/hello', { auth: { optional: true }, handler: (ctx) => ({ hello: ctx.auth.user?.id ?? 'guest' }) });
 * ```
 */
export interface RequestAuth<U extends AuthUser = AuthUser> {
  /** The strategy that authenticated the request, or `undefined`. */
  readonly strategy: StrategyName | undefined;
  /** The user the token, session or API key carries. */
  readonly user: U | undefined;
  /** The session id, on a session-authenticated request (never sent anywhere but its cookie). */
  readonly sessionId: string | undefined;
  /** The verified claims, on a JWT-authenticated request. */
  readonly claims: Readonly<Record<string, unknown>> | undefined;
  /** The API key's id and scope, on an API-key-authenticated request. */
  readonly apiKey: { readonly id: string; readonly name: string; readonly permissions: readonly string[] } | undefined;
}

/** The mutable record behind `ctx.auth`, private to the package. */
export interface AuthState<U extends AuthUser = AuthUser> {
  strategy: StrategyName | undefined;
  user: U | undefined;
  sessionId: string | undefined;
  claims: Readonly<Record<string, unknown>> | undefined;
  apiKey: RequestAuth['apiKey'];
}

/**
 * The requests' auth records, one per request that asks: a WeakMap, so a record goes with its
 * request and no property is added to the context's shape on the hot path.
 */
export class AuthStates<U extends AuthUser> {
  private readonly states = new WeakMap<Context, AuthState<U>>();

  of(ctx: Context): AuthState<U> {
    let state = this.states.get(ctx);
    if (state === undefined) {
      state = { strategy: undefined, user: undefined, sessionId: undefined, claims: undefined, apiKey: undefined };
      this.states.set(ctx, state);
    }
    return state;
  }

  /** Forgets what authenticated the request (logout). */
  clear(ctx: Context): void {
    const state = this.of(ctx);
    state.strategy = undefined;
    state.user = undefined;
    state.sessionId = undefined;
    state.claims = undefined;
    state.apiKey = undefined;
  }
}
