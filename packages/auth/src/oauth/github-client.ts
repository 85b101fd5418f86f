import { HttpError } from '@framework/core';
import { CodeChallengeMethod, OAuth2Client, OAuth2RequestError } from 'arctic';
import type { ProviderClient } from './provider-client.ts';
import type { ProviderConfig } from './provider-config.ts';
import { errorCode, isUnreachable, refusedCode, unreachable } from './provider-failure.ts';
import type { OAuthProfile } from './types.ts';

/** Milliseconds each GitHub request during a login may take. */
const REQUEST_TIMEOUT_MS = 10_000;

interface Endpoints {
  readonly authorization: URL;
  readonly token: URL;
  readonly api: URL;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
}

function text(value: unknown, key: string): string | undefined {
  const item = field(value, key);
  return typeof item === 'string' && item !== '' ? item : undefined;
}

// arctic's fetch takes no signal; the race bounds the login even though the request runs on.
async function bounded<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`No answer within ${REQUEST_TIMEOUT_MS} ms.`);
      error.name = 'TimeoutError';
      reject(error);
    }, REQUEST_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function api(endpoints: Endpoints, path: string, accessToken: string): Promise<unknown> {
  const base = endpoints.api.href.endsWith('/') ? endpoints.api.href : `${endpoints.api.href}/`;
  const response = await fetch(new URL(path, base), {
    headers: {
      authorization: `Bearer ${accessToken}`,
      accept: 'application/vnd.github+json',
      // GitHub's API refuses requests without a User-Agent.
      'user-agent': '@framework/auth',
      'x-github-api-version': '2022-11-28',
    },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new HttpError(
      502,
      `GitHub answered ${response.status} to ${path} during the login; try again, and check the scopes (read:user user:email) if it persists.`,
      { code: 'FW_AUTH_OAUTH', details: { reason: 'profile' } },
    );
  }
  return response.json();
}

async function fetchProfile(provider: string, endpoints: Endpoints, accessToken: string): Promise<OAuthProfile> {
  const user = await api(endpoints, 'user', accessToken);
  const id = field(user, 'id');
  if (typeof id !== 'number' && typeof id !== 'string') {
    throw new HttpError(502, 'GitHub returned a user without an id; try again.', {
      code: 'FW_AUTH_OAUTH',
      details: { reason: 'profile' },
    });
  }
  // The public `email` on /user is whatever the user typed and unverified; /user/emails says which
  // address is primary and whether GitHub verified it.
  let email: string | undefined;
  let emailVerified = false;
  const emails = await api(endpoints, 'user/emails', accessToken).catch(() => undefined);
  if (Array.isArray(emails)) {
    const primary: unknown = emails.find((entry: unknown) => field(entry, 'primary') === true);
    email = text(primary, 'email');
    emailVerified = email !== undefined && field(primary, 'verified') === true;
  }
  email ??= text(user, 'email');
  const name = text(user, 'name') ?? text(user, 'login');
  const picture = text(user, 'avatar_url');
  const claims: Record<string, unknown> = typeof user === 'object' && user !== null ? { ...user } : {};
  return {
    provider,
    subject: String(id),
    ...(email === undefined ? {} : { email }),
    emailVerified,
    ...(name === undefined ? {} : { name }),
    ...(picture === undefined ? {} : { picture }),
    claims,
  };
}

/**
 * GitHub's OAuth 2.0 (not OpenID): the authorization URL and code exchange through arctic's
 * `OAuth2Client` with PKCE S256 (arctic's `GitHub` class has fixed endpoints and sends no verifier),
 * the profile from the REST API's `/user` and `/user/emails`.
 */
export function createGitHubClient(config: ProviderConfig, endpoints: Endpoints): ProviderClient {
  return {
    usesNonce: false,
    async init() {},
    async authorizationUrl(request) {
      const client = new OAuth2Client(config.clientId, config.clientSecret, request.redirectUri);
      return client.createAuthorizationURLWithPKCE(
        endpoints.authorization.href,
        request.state,
        CodeChallengeMethod.S256,
        request.verifier,
        [...config.scopes],
      );
    },
    async complete(response) {
      const client = new OAuth2Client(config.clientId, config.clientSecret, response.redirectUri);
      let accessToken: string;
      let tokens: Awaited<ReturnType<OAuth2Client['validateAuthorizationCode']>>;
      try {
        tokens = await bounded(
          client.validateAuthorizationCode(endpoints.token.href, response.code, response.verifier),
        );
      } catch (error) {
        if (error instanceof OAuth2RequestError) throw refusedCode(config.name, errorCode(error.code), error);
        if (isUnreachable(error)) throw unreachable(config.name, error);
        throw error;
      }
      // GitHub answers a refused code with 200 and an `error` member, not a 400.
      const refusal = field(tokens.data, 'error');
      if (refusal !== undefined) throw refusedCode(config.name, errorCode(refusal), undefined);
      try {
        accessToken = tokens.accessToken();
      } catch (error) {
        throw refusedCode(config.name, 'no_access_token', error);
      }
      const profile = await fetchProfile(config.name, endpoints, accessToken).catch((error: unknown) => {
        throw isUnreachable(error) ? unreachable(config.name, error) : error;
      });
      const refreshToken = text(tokens.data, 'refresh_token');
      const expiresIn = field(tokens.data, 'expires_in');
      return {
        profile,
        tokens: {
          accessToken,
          ...(refreshToken === undefined ? {} : { refreshToken }),
          ...(typeof expiresIn === 'number' ? { expiresAt: Date.now() + expiresIn * 1000 } : {}),
        },
      };
    },
  };
}
