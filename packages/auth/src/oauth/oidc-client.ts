import * as client from 'openid-client';
import { AuthConfigError, OAuthError } from '../errors.ts';
import type { ProviderClient } from './provider-client.ts';
import type { ProviderConfig } from './provider-config.ts';
import { isLoopback } from './provider-config.ts';
import { isUnreachable, oidcFailure, unreachable } from './provider-failure.ts';
import type { OAuthProfile } from './types.ts';

/** Seconds discovery may take before start-up fails: an unreachable issuer must not hang the boot. */
const DISCOVERY_TIMEOUT_S = 5;
/** Seconds each request during a login (token, userinfo) may take. */
const REQUEST_TIMEOUT_S = 10;

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return isUnreachable(error) ? `no answer (${message})` : message;
}

async function discover(config: ProviderConfig, issuer: URL): Promise<client.Configuration> {
  // openid-client refuses http: unless told; provider-config accepted http: only on loopback hosts.
  const execute = issuer.protocol === 'http:' && isLoopback(issuer) ? [client.allowInsecureRequests] : [];
  let discovered: client.Configuration;
  try {
    discovered = await client.discovery(issuer, config.clientId, config.clientSecret, undefined, {
      execute,
      timeout: DISCOVERY_TIMEOUT_S,
    });
  } catch (error) {
    throw new AuthConfigError(
      `${config.where}: OpenID discovery of the issuer ${issuer.href} failed within ${DISCOVERY_TIMEOUT_S} s: ${describe(error)}. ` +
        `Check issuer (${issuer.href}.well-known/openid-configuration must answer) and that this server can reach it.`,
    );
  }
  let configuration = discovered;
  const methods = discovered.serverMetadata().token_endpoint_auth_methods_supported;
  // RFC 8414 §2: an issuer that lists no methods supports client_secret_basic; openid-client defaults to post.
  if (methods === undefined || !methods.includes('client_secret_post')) {
    configuration = new client.Configuration(
      discovered.serverMetadata(),
      config.clientId,
      config.clientSecret,
      client.ClientSecretBasic(config.clientSecret),
    );
    for (const extension of execute) extension(configuration);
  }
  configuration.timeout = REQUEST_TIMEOUT_S;
  return configuration;
}

function text(claims: Record<string, unknown>, key: string): string | undefined {
  const value = claims[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function toProfile(provider: string, claims: Record<string, unknown>): OAuthProfile {
  const email = text(claims, 'email');
  const name = text(claims, 'name');
  const picture = text(claims, 'picture');
  return {
    provider,
    subject: String(claims.sub),
    ...(email === undefined ? {} : { email }),
    // Some providers have sent the string "true"; anything else, or no claim, is unverified.
    emailVerified: email !== undefined && (claims.email_verified === true || claims.email_verified === 'true'),
    ...(name === undefined ? {} : { name }),
    ...(picture === undefined ? {} : { picture }),
    claims,
  };
}

/**
 * An OpenID Connect provider found by discovery (`google` and any provider with an `issuer`). The
 * ID token is validated by openid-client (signature, `iss`, `aud`, `exp`, `nonce`); the email comes
 * from the ID token or, when the provider keeps it out of the ID token, from userinfo.
 */
export function createOidcClient(config: ProviderConfig, issuer: URL): ProviderClient {
  let pending: Promise<client.Configuration> | undefined;
  const configuration = (): Promise<client.Configuration> => {
    pending ??= discover(config, issuer).catch((error: unknown) => {
      // A failed discovery is retried by the next login rather than remembered.
      pending = undefined;
      throw error;
    });
    return pending;
  };
  // During a request, an issuer that cannot be discovered is the provider being down (502), not a
  // configuration mistake: start-up (init) already proved the configuration once.
  const ready = (): Promise<client.Configuration> =>
    configuration().catch((error: unknown) => {
      throw unreachable(config.name, error);
    });

  return {
    usesNonce: true,
    async init() {
      await configuration();
    },
    async authorizationUrl(request) {
      return client.buildAuthorizationUrl(await ready(), {
        redirect_uri: request.redirectUri,
        scope: config.scopes.join(' '),
        state: request.state,
        nonce: request.nonce ?? '',
        code_challenge: request.codeChallenge,
        code_challenge_method: 'S256',
      });
    },
    async complete(response) {
      const oidc = await ready();
      try {
        const tokens = await client.authorizationCodeGrant(oidc, response.callbackUrl, {
          pkceCodeVerifier: response.verifier,
          expectedNonce: response.nonce ?? '',
          expectedState: response.state,
          idTokenExpected: true,
        });
        const idClaims = tokens.claims();
        if (idClaims === undefined) {
          throw new OAuthError(`${config.name} returned no ID token; start the login again.`, 'id_token');
        }
        let claims: Record<string, unknown> = { ...idClaims };
        if (claims.email === undefined && oidc.serverMetadata().userinfo_endpoint !== undefined) {
          const info = await client.fetchUserInfo(oidc, tokens.access_token, idClaims.sub);
          // The signed ID token wins over userinfo for every claim both carry.
          claims = { ...info, ...idClaims };
        }
        const expiresIn = tokens.expiresIn();
        return {
          profile: toProfile(config.name, claims),
          tokens: {
            accessToken: tokens.access_token,
            ...(tokens.refresh_token === undefined ? {} : { refreshToken: tokens.refresh_token }),
            ...(tokens.id_token === undefined ? {} : { idToken: tokens.id_token }),
            ...(expiresIn === undefined ? {} : { expiresAt: Date.now() + expiresIn * 1000 }),
          },
        };
      } catch (error) {
        throw oidcFailure(config.name, error);
      }
    },
  };
}
