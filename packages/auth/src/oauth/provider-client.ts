import type { OAuthProfile, OAuthTokens } from './types.ts';

/** What `start` hands a provider client to build the authorization URL. */
export interface AuthorizationRequest {
  redirectUri: string;
  state: string;
  /** The PKCE verifier, for libraries that derive the challenge themselves. */
  verifier: string;
  /** PKCE S256 challenge of the verifier kept in the store. */
  codeChallenge: string;
  /** OIDC only. */
  nonce: string | undefined;
}

/** What `callback` hands a provider client once the state checks passed. */
export interface AuthorizationResponse {
  /** The stored `redirect_uri` with the callback's query string. */
  callbackUrl: URL;
  /** The `redirect_uri` sent with the authorization request, to send again with the code. */
  redirectUri: string;
  code: string;
  state: string;
  verifier: string;
  nonce: string | undefined;
}

/**
 * One provider protocol (OpenID Connect through openid-client, GitHub's OAuth 2.0 through arctic).
 * `complete` throws `OAuthError` for what the provider refused and a 502 `HttpError` when it could
 * not be reached.
 */
export interface ProviderClient {
  /** Whether logins carry an OIDC `nonce`. */
  readonly usesNonce: boolean;
  /** Discovery, where there is one; rejects with `AuthConfigError` naming the issuer. */
  init(): Promise<void>;
  authorizationUrl(request: AuthorizationRequest): Promise<URL>;
  complete(response: AuthorizationResponse): Promise<{ profile: OAuthProfile; tokens: OAuthTokens }>;
}
