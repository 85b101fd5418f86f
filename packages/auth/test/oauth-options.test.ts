import { createServer, type Socket } from 'node:net';
import { createApp, isFrameworkError } from '@framework/core';
import { closedPort } from '@framework/test-helpers';
import { describe, expect, test } from 'vitest';
import { AUTH_ERROR_CODES } from '../src/errors.ts';
import { createOAuth } from '../src/oauth/oauth.ts';
import type { OAuthOptions } from '../src/oauth/types.ts';
import { MemoryAuthStore } from '../src/store/memory.ts';

const SECRETS = { clientId: 'id', clientSecret: 'secret' };

function create(options: OAuthOptions) {
  return createOAuth(options, new MemoryAuthStore());
}

function failure(options: OAuthOptions): { code: string; message: string } {
  try {
    create(options);
  } catch (error) {
    if (isFrameworkError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('createOAuth accepted the options');
}

describe('options are checked at creation', () => {
  test('a missing clientId or clientSecret names the environment variable and what to write', () => {
    const google = failure({ google: { clientId: undefined, clientSecret: 'secret' } });
    expect(google.code).toBe('FW_AUTH_CONFIG');
    expect(google.message).toContain('GOOGLE_CLIENT_ID');
    expect(google.message).toContain('clientId: process.env.GOOGLE_CLIENT_ID');
    const okta = failure({ 'my-okta': { issuer: 'https://okta.example', clientId: 'id', clientSecret: '' } });
    expect(okta.message).toContain('MY_OKTA_CLIENT_SECRET');
  });

  test('an unknown option fails with the closest known one', () => {
    const typo = failure({ google: { ...SECRETS, callbackURL: '/cb' } as unknown as OAuthOptions[string] });
    expect(typo.code).toBe('FW_ERR_UNKNOWN_OPTION');
    expect(typo.message).toContain('oauth.google');
    expect(typo.message).toContain('Did you mean "callbackUrl"?');
    // An issuer is an OIDC option; GitHub is plain OAuth 2.0.
    expect(failure({ github: { ...SECRETS, issuer: 'https://github.com' } }).code).toBe('FW_ERR_UNKNOWN_OPTION');
    expect(failure({ google: { ...SECRETS, endpoints: { authorization: '', token: '', api: '' } } }).code).toBe(
      'FW_ERR_UNKNOWN_OPTION',
    );
  });

  test('a provider that is not a preset needs an issuer', () => {
    const missing = failure({ okta: SECRETS });
    expect(missing.code).toBe('FW_AUTH_CONFIG');
    expect(missing.message).toContain("issuer: 'https://");
  });

  test('plain http is accepted only on a loopback host', () => {
    expect(failure({ okta: { ...SECRETS, issuer: 'http://login.example.com' } }).message).toContain('https://');
    expect(failure({ google: { ...SECRETS, callbackUrl: 'http://app.example.com/cb' } }).message).toContain(
      'callbackUrl',
    );
    expect(() => create({ okta: { ...SECRETS, issuer: 'http://127.0.0.1:9' } })).not.toThrow();
  });

  test('provider names, callback paths and scopes are checked', () => {
    expect(failure({ 'Google!': SECRETS }).code).toBe('FW_AUTH_CONFIG');
    expect(failure({}).code).toBe('FW_AUTH_CONFIG');
    expect(
      failure({
        google: { ...SECRETS, callbackUrl: '/auth/callback' },
        okta: { ...SECRETS, issuer: 'https://okta.example', callbackUrl: '/auth/callback' },
      }).message,
    ).toContain('share the callback path');
    expect(failure({ google: { ...SECRETS, scopes: ['openid email'] } }).code).toBe('FW_AUTH_CONFIG');
  });

  test('providers and routes follow the options, a path or an absolute callback URL', () => {
    const service = create({
      google: { ...SECRETS, callbackUrl: '/auth/google/callback' },
      github: SECRETS,
      okta: { ...SECRETS, issuer: 'https://okta.example', callbackUrl: 'https://app.example/login/okta/done' },
    });
    expect(service.providers).toEqual(['google', 'github', 'okta']);
    expect(service.routes).toEqual([
      { provider: 'google', start: '/auth/google', callback: '/auth/google/callback' },
      { provider: 'github', start: '/auth/github', callback: '/auth/github/callback' },
      { provider: 'okta', start: '/auth/okta', callback: '/login/okta/done' },
    ]);
  });

  test('a provider name that is not configured is a programming error', async () => {
    const service = create({ google: SECRETS });
    const app = createApp();
    app.get('/auth/x', async (ctx) => {
      try {
        return await service.start(ctx, 'gogle');
      } catch (error) {
        return { code: isFrameworkError(error, AUTH_ERROR_CODES) ? error.code : 'other', message: String(error) };
      }
    });
    const body: unknown = await (await app.request('http://localhost/auth/x')).json();
    expect(body).toMatchObject({ code: 'FW_AUTH_INVALID_ARGUMENT', message: expect.stringContaining('google') });
  });
});

describe('discovery at start-up', () => {
  test('an issuer that refuses connections fails init with a message naming the URL and the option', async () => {
    const issuer = `http://127.0.0.1:${await closedPort()}`;
    const service = create({ okta: { ...SECRETS, issuer } });
    const error: unknown = await service.init().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(isFrameworkError(error, AUTH_ERROR_CODES) && error.code).toBe('FW_AUTH_CONFIG');
    expect(String(error)).toContain(`${issuer}/`);
    expect(String(error)).toContain('oauth.okta');
    expect(String(error)).toContain('issuer');
  });

  test('an issuer that accepts the connection and never answers fails init within the 5 s bound', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const issuer = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    try {
      const service = create({ okta: { ...SECRETS, issuer } });
      const started = performance.now();
      const error: unknown = await service.init().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      const elapsed = performance.now() - started;
      expect(String(error)).toContain(issuer);
      expect(String(error)).toContain('within 5 s');
      expect(elapsed).toBeLessThan(6_500);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
