import type { Context } from '@framework/core';
import { AuthConfigError, OAuthError } from '../errors.ts';
import type { AuthStore } from '../store/types.ts';
import { createGitHubClient } from './github-client.ts';
import { checkStateCookie, codeChallenge, randomToken, saveLogin, setStateCookie, takeLogin } from './login-state.ts';
import { createOidcClient } from './oidc-client.ts';
import type { ProviderClient } from './provider-client.ts';
import { type ProviderConfig, resolveProviders } from './provider-config.ts';
import { errorCode } from './provider-failure.ts';
import { safeReturnTo } from './return-to.ts';
import type { OAuthOptions, OAuthService } from './types.ts';

export type { OAuthService } from './types.ts';

interface Provider {
  readonly config: ProviderConfig;
  readonly client: ProviderClient;
}

function createClient(config: ProviderConfig): ProviderClient {
  if (config.kind === 'github' && config.endpoints !== undefined) return createGitHubClient(config, config.endpoints);
  if (config.issuer !== undefined) return createOidcClient(config, config.issuer);
  throw new AuthConfigError(`${config.where}: set issuer (OIDC) or use the github preset.`);
}

/** One query parameter, or `undefined` when it is absent, empty or repeated (a repeated one is an attack). */
function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  return values.length === 1 && values[0] !== '' ? values[0] : undefined;
}

function redirectUri(config: ProviderConfig, ctx: Context): string {
  return config.callbackUrl.startsWith('/') ? new URL(config.callbackUrl, ctx.url.origin).href : config.callbackUrl;
}

/**
 * Creates the OAuth 2.0 / OpenID Connect login service: `start` redirects to the provider with a
 * 256-bit `state` (bound to the browser by a hashed cookie and kept in `store` for 10 minutes, taken
 * once), a PKCE S256 challenge and, for OIDC, a `nonce`; `callback` checks them all, exchanges the
 * code and returns the profile. Options are checked here; OIDC discovery happens in `init()`.
 *
 * @example
 * ```ts
 * const oauth = createOAuth(
 *   { google: { clientId: process.env.GOOGLE_CLIENT_ID, clientSecret: process.env.GOOGLE_CLIENT_SECRET, callbackUrl: '/auth/google/callback' } },
 *   new MemoryAuthStore(),
 * );
 * await oauth.init();
 * app.get('/auth/google', (ctx) => oauth.start(ctx, 'google', { returnTo: '/account' }));
 * app.get('/auth/google/callback', async (ctx) => {
 *   const { profile, returnTo } = await oauth.callback(ctx, 'google');
 *   // find or create the user by (profile.provider, profile.subject), then open a session
 *   return ctx.redirect(returnTo ?? '/');
 * });
 * ```
 */
export function createOAuth(
  options: OAuthOptions,
  store: AuthStore,
  where = 'auth({ strategies: { oauth } })',
): OAuthService {
  const providers = new Map<string, Provider>();
  for (const config of resolveProviders(options, where)) {
    providers.set(config.name, { config, client: createClient(config) });
  }
  const names = [...providers.keys()];

  function find(name: string): Provider {
    const provider = providers.get(name);
    if (provider === undefined) {
      throw new AuthConfigError(
        `No OAuth provider named ${JSON.stringify(name)}; the configured ones are ${names.join(', ')}. Add it to ${where} or fix the name.`,
        'FW_AUTH_INVALID_ARGUMENT',
      );
    }
    return provider;
  }

  return {
    providers: names,
    routes: names.map((name) => ({ provider: name, start: `/auth/${name}`, callback: find(name).config.callbackPath })),

    async init() {
      await Promise.all([...providers.values()].map((provider) => provider.client.init()));
    },

    async start(ctx, name, startOptions = {}) {
      const { config, client } = find(name);
      const state = randomToken();
      const verifier = randomToken();
      const nonce = client.usesNonce ? randomToken() : undefined;
      const redirect = redirectUri(config, ctx);
      const url = await client.authorizationUrl({
        redirectUri: redirect,
        state,
        verifier,
        codeChallenge: codeChallenge(verifier),
        nonce,
      });
      const returnTo = safeReturnTo(startOptions.returnTo);
      await saveLogin(store, state, {
        provider: name,
        verifier,
        redirectUri: redirect,
        ...(nonce === undefined ? {} : { nonce }),
        ...(returnTo === undefined ? {} : { returnTo }),
      });
      setStateCookie(ctx, name, state);
      ctx.header('cache-control', 'no-store');
      // The target is the provider's endpoint from the app's own configuration, never request data.
      return ctx.redirect(url.href, { allowExternal: true });
    },

    async callback(ctx, name) {
      const { client } = find(name);
      const query = ctx.url.searchParams;
      const state = single(query, 'state');
      if (state === undefined) {
        throw new OAuthError(
          `The ${name} callback has no state (or more than one); it did not come from a login this app started. Start the login again.`,
          'state',
        );
      }
      const cookie = checkStateCookie(ctx, name, state);
      if (cookie !== 'match') {
        throw new OAuthError(
          cookie === 'missing'
            ? `This browser has no ${name} login in progress (its state cookie is missing or expired after 10 minutes); start the login again.`
            : `The ${name} callback's state is not the one this browser's login started; start the login again.`,
          'state',
        );
      }
      const login = await takeLogin(store, state);
      if (login === undefined || login.provider !== name) {
        throw new OAuthError(
          `This ${name} login was already completed or has expired (10 minutes); a callback is accepted once. Start the login again.`,
          'state',
        );
      }
      const providerError = single(query, 'error');
      if (providerError !== undefined) {
        throw new OAuthError(
          `${name} did not sign the user in (${errorCode(providerError)}); no one was signed in. Start the login again.`,
          'provider',
        );
      }
      const code = single(query, 'code');
      if (code === undefined) {
        throw new OAuthError(`The ${name} callback has no code; start the login again.`, 'code');
      }
      if (client.usesNonce && login.nonce === undefined) {
        throw new OAuthError(`The stored ${name} login has no nonce; start the login again.`, 'nonce');
      }
      const callbackUrl = new URL(login.redirectUri);
      callbackUrl.search = ctx.url.search;
      const { profile, tokens } = await client.complete({
        callbackUrl,
        redirectUri: login.redirectUri,
        code,
        state,
        verifier: login.verifier,
        nonce: login.nonce,
      });
      return { profile, tokens, returnTo: login.returnTo };
    },
  };
}
