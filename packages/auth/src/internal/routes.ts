import type { App, Context } from '@framework/core';
import type { AuthRuntime } from '../auth-api.ts';
import { AuthenticationError, OAuthError } from '../errors.ts';
import type { TokenService } from '../jwt/token-service.ts';
import type { OAuthService } from '../oauth/oauth.ts';
import type { AuthOptions } from '../options.ts';
import type { AuthStates } from '../request-auth.ts';
import type { AuthUser } from '../types.ts';

interface Mounted {
  options: AuthOptions<object, AuthUser, unknown>;
  tokens: TokenService | undefined;
  oauth: OAuthService | undefined;
  api: AuthRuntime<object, AuthUser, unknown>;
  loadUser: (id: string) => Promise<AuthUser | undefined>;
  states: AuthStates<AuthUser>;
  realm: string;
}

/** The refresh token a client sent: `{ "refreshToken": "..." }` as JSON or a form. */
function refreshTokenOf(ctx: Context): string | undefined {
  const body: unknown = ctx.body;
  if (typeof body !== 'object' || body === null || !Object.hasOwn(body, 'refreshToken')) return undefined;
  const token: unknown = Reflect.get(body, 'refreshToken');
  return typeof token === 'string' && token.length > 0 && token.length <= 512 ? token : undefined;
}

/**
 * The routes auth serves: the token refresh, the JWKS of asymmetric keys, and each OAuth provider's
 * start and callback. Paths come from `auth({ routes })`.
 */
export function mountRoutes(app: App, parts: Mounted): void {
  const { options, tokens, oauth, api, loadUser, states, realm } = parts;
  const routes = options.routes ?? {};
  const refreshPath = routes.refresh ?? '/auth/refresh';
  if (tokens?.refreshes === true && refreshPath !== false) {
    app.post(refreshPath, async (ctx) => {
      const token = refreshTokenOf(ctx);
      if (token === undefined) {
        throw new AuthenticationError(
          'Send the refresh token as {"refreshToken": "..."} to get a new token pair.',
          `Bearer realm="${realm}", error="invalid_request"`,
          'FW_AUTH_TOKEN_INVALID',
        );
      }
      return tokens.refresh(token, loadUser);
    });
  }
  const jwksPath = routes.jwks ?? '/.well-known/jwks.json';
  if (tokens !== undefined && jwksPath !== false && tokens.jwks().keys.length > 0) {
    app.get(jwksPath, (ctx) => {
      ctx.header('cache-control', 'public, max-age=300');
      return tokens.jwks();
    });
  }
  if (oauth === undefined) return;
  const afterLogin = routes.afterLogin ?? '/';
  const findOrCreateUser = options.findOrCreateUser;
  for (const route of oauth.routes) {
    app.get(route.start, (ctx) => {
      const returnTo = typeof ctx.query.returnTo === 'string' ? ctx.query.returnTo : undefined;
      return oauth.start(ctx, route.provider, returnTo === undefined ? {} : { returnTo });
    });
    app.get(route.callback, async (ctx) => {
      const { profile, tokens: providerTokens, returnTo } = await oauth.callback(ctx, route.provider);
      const user = await findOrCreateUser?.(profile, providerTokens);
      if (user === undefined) {
        throw new OAuthError(
          `The ${route.provider} account is not allowed to sign in here; use another account or sign up first.`,
          'user',
        );
      }
      const result = await api.login(ctx, states.of(ctx), user);
      // Tokens go to the client that asked for them as JSON; a session login goes back to the app.
      if (result.tokens !== undefined) return result.tokens;
      return ctx.redirect(returnTo ?? afterLogin, 302);
    });
  }
}
