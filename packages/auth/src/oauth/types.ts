import type { Context, Reply } from '@framework/core';

/**
 * Where the `github` preset talks to: github.com by default; set all three for GitHub Enterprise
 * Server (or a stand-in server in tests). An `http:` URL is accepted only on a loopback host.
 *
 * @example
 * ```ts
 * const endpoints: GitHubEndpoints = {
 *   authorization: 'https://github.example.com/login/oauth/authorize',
 *   token: 'https://github.example.com/login/oauth/access_token',
 *   api: 'https://github.example.com/api/v3',
 * };
 * ```
 */
export interface GitHubEndpoints {
  authorization: string;
  token: string;
  api: string;
}

/**
 * One provider's settings. `google` and `github` are presets; any other name is a generic OpenID
 * Connect provider found by discovery from its `issuer`.
 *
 * @example
 * ```ts
 * const google: ProviderOptions = {
 *   clientId: process.env.GOOGLE_CLIENT_ID,
 *   clientSecret: process.env.GOOGLE_CLIENT_SECRET,
 *   callbackUrl: '/auth/google/callback',
 * };
 * ```
 */
export interface ProviderOptions {
  /** The client id the provider issued (e.g. from `GOOGLE_CLIENT_ID`); required. */
  clientId: string | undefined;
  /** The client secret the provider issued (e.g. from `GOOGLE_CLIENT_SECRET`); required. */
  clientSecret: string | undefined;
  /**
   * Where the provider sends the browser back: a path on this app (`/auth/google/callback`, made
   * absolute from the request's URL) or an absolute URL. It must be registered at the provider
   * exactly. Defaults to `/auth/<provider>/callback`.
   */
  callbackUrl?: string;
  /** Scopes to ask for. OIDC default: `openid email profile` (`openid` is always added); GitHub: `read:user user:email`. */
  scopes?: readonly string[];
  /**
   * The OpenID issuer, found by discovery at start-up. Required for a provider that is not a
   * preset; `google` defaults to `https://accounts.google.com`. `http:` only on a loopback host.
   */
  issuer?: string;
  /** `github` only: the endpoints of a GitHub Enterprise Server. */
  endpoints?: GitHubEndpoints;
}

/**
 * The OAuth strategy's options: one entry per provider, keyed by its name (which is also the
 * start path: `/auth/<name>`).
 *
 * @example
 * ```ts
 * const oauth: OAuthOptions = {
 *   google: { clientId: process.env.GOOGLE_CLIENT_ID, clientSecret: process.env.GOOGLE_CLIENT_SECRET, callbackUrl: '/auth/google/callback' },
 *   github: { clientId: process.env.GITHUB_CLIENT_ID, clientSecret: process.env.GITHUB_CLIENT_SECRET },
 *   okta: { issuer: 'https://example.okta.com', clientId: process.env.OKTA_CLIENT_ID, clientSecret: process.env.OKTA_CLIENT_SECRET },
 * };
 * ```
 */
export type OAuthOptions = { [provider: string]: ProviderOptions };

/**
 * Who signed in, as the provider reports it. Link accounts by `provider` + `subject` (stable), and
 * by email only through `linkableEmail()`.
 *
 * @example
 * ```ts
 * const user = await users.findByLogin(profile.provider, profile.subject);
 * ```
 */
export interface OAuthProfile {
  provider: string;
  /** The provider's stable id for the account (`sub`, or GitHub's numeric id as a string). */
  subject: string;
  email?: string;
  /** `true` only when the provider says it verified `email`. */
  emailVerified: boolean;
  name?: string;
  picture?: string;
  /** Every claim the provider returned (ID token and userinfo, or GitHub's `/user`). */
  claims: Record<string, unknown>;
}

/**
 * The tokens the provider issued.
 *
 * @example
 * ```ts
 * if (tokens.expiresAt !== undefined && tokens.expiresAt < Date.now()) console.log('expired');
 * ```
 */
export interface OAuthTokens {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /** Milliseconds since the epoch at which the access token expires, when the provider said. */
  expiresAt?: number;
}

/**
 * The routes a provider needs: the app serves `start` (which calls `service.start`) and `callback`
 * (which calls `service.callback`).
 *
 * @example
 * ```ts
 * for (const route of service.routes) app.get(route.start, (ctx) => service.start(ctx, route.provider));
 * ```
 */
export interface OAuthRoute {
  provider: string;
  /** `/auth/<provider>`. */
  start: string;
  /** The path of the provider's `callbackUrl`. */
  callback: string;
}

/**
 * What a completed login gives: the profile, the tokens and where the app was asked to go next.
 *
 * @example
 * ```ts
 * const { profile, returnTo } = await service.callback(ctx, 'google');
 * ```
 */
export interface OAuthLogin {
  profile: OAuthProfile;
  tokens: OAuthTokens;
  /** The `returnTo` given to `start`, when it was a path on this site. */
  returnTo: string | undefined;
}

/**
 * Options for `OAuthService.start`.
 *
 * @example
 * ```ts
 * return service.start(ctx, 'google', { returnTo: '/settings' });
 * ```
 */
export interface OAuthStartOptions {
  /**
   * Where to go after the login: a path on this site (`/settings?tab=2`). Anything else (another
   * host, `//evil.com`, a scheme) is dropped, so the app's default applies.
   */
  returnTo?: string;
}

/**
 * OAuth 2.0 / OpenID Connect logins: authorization-code flow with PKCE S256, a 256-bit `state`
 * bound to the browser by a cookie and taken once from the store, and a `nonce` in OIDC ID tokens.
 *
 * @example
 * ```ts
 * const service = createOAuth({ google: { clientId, clientSecret } }, store);
 * await service.init();
 * app.get('/auth/google', (ctx) => service.start(ctx, 'google'));
 * app.get('/auth/google/callback', async (ctx) => (await service.callback(ctx, 'google')).profile);
 * ```
 */
export interface OAuthService {
  /** The configured provider names. */
  readonly providers: readonly string[];
  readonly routes: readonly OAuthRoute[];
  /**
   * Discovers every OIDC issuer (5 s bound each). Rejects with `AuthConfigError` naming the issuer
   * URL and its option when one cannot be reached; call it at start-up. A `start` before it
   * discovers on first use.
   */
  init(): Promise<void>;
  /** A 302 to the provider's authorization endpoint; sets the short-lived state cookie. */
  start(ctx: Context, provider: string, options?: OAuthStartOptions): Promise<Reply>;
  /**
   * Completes the login the provider sent back. Throws `OAuthError` (400) on a missing or
   * mismatched state, a replayed callback, `error=` from the provider, a refused code (PKCE) or a
   * nonce mismatch; 502 when the provider cannot be reached.
   */
  callback(ctx: Context, provider: string): Promise<OAuthLogin>;
}
