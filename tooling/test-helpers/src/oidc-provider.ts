import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';

/**
 * The account a test logs in as: the claims the provider reports for it.
 *
 * @example
 * ```ts
 * const account: OidcAccount = { sub: 'alice', email: 'alice@example.com', emailVerified: true };
 * ```
 */
export interface OidcAccount {
  /** The subject (`sub`) the provider issues. */
  sub: string;
  email?: string;
  /** Defaults to `false`, as a provider that does not say so must be read. */
  emailVerified?: boolean;
  name?: string;
}

/**
 * Options for `startOidcProvider()`.
 *
 * @example
 * ```ts
 * const provider = await startOidcProvider({ redirectUris: ['http://localhost/auth/google/callback'] });
 * ```
 */
export interface OidcProviderOptions {
  /** Where the client may be sent back to; exact matches, as the provider checks them. */
  redirectUris: string[];
  /**
   * Accept each `http://127.0.0.1/...` redirect URI on any port (RFC 8252 §7.3, the provider's
   * rule for native clients), for an app started on port 0 after the provider: register
   * `http://127.0.0.1/auth/google/callback` and serve the app on 127.0.0.1.
   */
  anyLoopbackPort?: boolean;
  /** Defaults to `test-client`. */
  clientId?: string;
  /** Defaults to a random secret, returned as `clientSecret`. */
  clientSecret?: string;
}

/**
 * A running loopback OpenID provider (`oidc-provider`), and the steps a browser would take on it.
 *
 * @example
 * ```ts
 * const callback = await provider.login(authorizationUrl, { sub: 'alice', email: 'a@example.com', emailVerified: true });
 * // callback is the app's redirect URI with ?code=...&state=...&iss=...
 * ```
 */
export interface OidcProvider {
  /** `http://127.0.0.1:<port>`: pass it as the provider's `issuer`. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The token endpoint, for tests that talk to it directly. */
  readonly tokenEndpoint: string;
  /**
   * Follows `authorizationUrl` as a browser would, signs in as `account` and consents to every
   * scope, and resolves to the URL the provider redirects back to (the app's callback with a code,
   * or with `error=` when the provider refused the request).
   */
  login(authorizationUrl: string | URL, account: OidcAccount): Promise<URL>;
  /** Follows `authorizationUrl`, then refuses at the sign-in step: resolves to the callback with `error=access_denied`. */
  deny(authorizationUrl: string | URL): Promise<URL>;
  stop(): Promise<void>;
}

interface InteractionDetails {
  uid: string;
  params: Record<string, unknown>;
}

interface Grant {
  addOIDCScope(scope: string): void;
  save(): Promise<string>;
}

interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
  Grant: new (init: { accountId: string; clientId: string }) => Grant;
}

type ProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;

interface ProviderModule {
  default: ProviderConstructor;
}

const INTERACTION = /^\/interaction\/([A-Za-z0-9_-]+)$/;

/**
 * Starts a real `oidc-provider` on 127.0.0.1 (a free port) with one confidential client that must
 * use PKCE S256, signs ID tokens with a fresh RS256 key, and reports `email`, `email_verified`
 * and `name` from userinfo for the `email` and `profile` scopes (the ID token of a code flow
 * carries only `sub`, as the provider's conformIdTokenClaims default wants). Sign-in and consent
 * are driven from the test (`login`, `deny`) with plain `fetch` and a cookie jar: no browser.
 *
 * @example
 * ```ts
 * const provider = await startOidcProvider({ redirectUris: ['http://127.0.0.1/auth/google/callback'], anyLoopbackPort: true });
 * const app = createApp().use(auth({ strategies: { oauth: {
 *   google: { issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret },
 * } } }));
 * const { url } = await app.start({ port: 0, host: '127.0.0.1' });
 * const start = await fetch(`${url}/auth/google`, { redirect: 'manual' });
 * const cookie = start.headers.getSetCookie()[0]!.split(';')[0]!;
 * const account = { sub: 'alice', email: 'alice@example.com', emailVerified: true };
 * const callback = await provider.login(start.headers.get('location')!, account);
 * const signedIn = await fetch(callback, { headers: { cookie }, redirect: 'manual' });
 * await app.stop();
 * await provider.stop();
 * ```
 */
export async function startOidcProvider(options: OidcProviderOptions): Promise<OidcProvider> {
  // A variable specifier: oidc-provider ships no type declarations, its shape is typed above.
  const specifier = 'oidc-provider';
  const { default: Provider } = (await import(specifier)) as ProviderModule;
  const clientId = options.clientId ?? 'test-client';
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
  const accounts = new Map<string, OidcAccount>();
  const pendingLogins = new Map<string, OidcAccount | 'deny'>();

  let provider: ProviderInstance | undefined;
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server: Server = createServer((req, res) => {
    const match = INTERACTION.exec(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    if (match !== null && provider !== undefined) {
      finishInteraction(provider, req, res, pendingLogins).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    if (handle === undefined) {
      res.statusCode = 503;
      res.end();
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'test-key' };
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
        ...(options.anyLoopbackPort === true ? { application_type: 'native' } : {}),
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    // Set explicitly (seconds), so the provider does not log a notice for each default it falls back to.
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx: unknown, sub: string) => {
      const account = accounts.get(sub);
      if (account === undefined) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          ...(account.email === undefined
            ? {}
            : { email: account.email, email_verified: account.emailVerified ?? false }),
          ...(account.name === undefined ? {} : { name: account.name }),
        }),
      };
    },
  });
  handle = provider.callback();

  async function follow(authorizationUrl: string | URL, outcome: OidcAccount | 'deny'): Promise<URL> {
    const jar = new Map<string, string>();
    let url = new URL(authorizationUrl);
    if (outcome !== 'deny') accounts.set(outcome.sub, outcome);
    for (let hop = 0; hop < 10; hop++) {
      if (url.origin !== issuer) return url;
      const interaction = INTERACTION.exec(url.pathname);
      if (interaction?.[1] !== undefined) pendingLogins.set(interaction[1], outcome);
      const response = await fetch(url, {
        redirect: 'manual',
        headers: { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; ') },
      });
      for (const cookie of response.headers.getSetCookie()) {
        const [pair = ''] = cookie.split(';');
        const eq = pair.indexOf('=');
        jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      }
      const location = response.headers.get('location');
      if (location === null) {
        throw new Error(`The provider answered ${response.status} at ${url.pathname}: ${await response.text()}`);
      }
      await response.body?.cancel();
      url = new URL(location, url);
    }
    throw new Error('The provider redirected more than 10 times.');
  }

  return {
    issuer,
    clientId,
    clientSecret,
    tokenEndpoint: `${issuer}/token`,
    login: (authorizationUrl, account) => follow(authorizationUrl, account),
    deny: (authorizationUrl) => follow(authorizationUrl, 'deny'),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function finishInteraction(
  provider: ProviderInstance,
  req: IncomingMessage,
  res: ServerResponse,
  pendingLogins: Map<string, OidcAccount | 'deny'>,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const outcome = pendingLogins.get(details.uid);
  pendingLogins.delete(details.uid);
  if (outcome === undefined || outcome === 'deny') {
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'The user refused to sign in.' },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const grant = new provider.Grant({ accountId: outcome.sub, clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope ?? 'openid'));
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: outcome.sub }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}
