import type { JWK, JWTPayload } from 'jose';
import { describe, expectTypeOf, it } from 'vitest';
import type { JwtAlgorithm, JwtKey, JwtOptions } from '../src/jwt/options.ts';
import { createTokenService, type TokenPair, type TokenService } from '../src/jwt/token-service.ts';
import { MemoryAuthStore } from '../src/store/memory.ts';
import type { AuthUser } from '../src/types.ts';

const store = new MemoryAuthStore();

describe('JwtOptions', () => {
  it('takes the design example as written, an unset environment variable included', () => {
    const options: JwtOptions = {
      secret: process.env.JWT_SECRET,
      algorithm: 'HS256',
      expiresIn: '15m',
      refresh: { enabled: true, expiresIn: '7d', rotateSecret: true },
    };
    expectTypeOf(createTokenService(options, store)).toEqualTypeOf<TokenService>();
  });

  it('takes keys of every form, and durations with units', () => {
    const keys: readonly JwtKey[] = [
      { kid: 'a', algorithm: 'ES256', privateKey: '-----BEGIN PRIVATE KEY-----' },
      { kid: 'b', algorithm: 'EdDSA', publicKey: { kty: 'OKP', crv: 'Ed25519', x: 'x' } },
      { kid: 'c', algorithm: 'HS512', secret: new Uint8Array(64) },
    ];
    const options: JwtOptions = { keys, clockTolerance: '30s', audience: ['a', 'b'], maxTokenLength: 4096 };
    expectTypeOf(options.keys).toEqualTypeOf<readonly JwtKey[] | undefined>();
    expectTypeOf<JwtAlgorithm>().toEqualTypeOf<'HS256' | 'HS384' | 'HS512' | 'RS256' | 'PS256' | 'ES256' | 'EdDSA'>();
  });

  it('refuses what is not an option', () => {
    // @ts-expect-error: an algorithm that is not supported
    const none: JwtOptions = { secret: 's', algorithm: 'none' };
    // @ts-expect-error: RS512 is not one of the supported algorithms
    const rs512: JwtKey = { kid: 'a', algorithm: 'RS512', privateKey: 'pem' };
    // @ts-expect-error: a key needs its kid
    const noKid: JwtKey = { algorithm: 'HS256', secret: 's' };
    // @ts-expect-error: a duration unit the Duration type does not know
    const minutes: JwtOptions = { secret: 's', expiresIn: '15 minutes' };
    // @ts-expect-error: an unknown option
    const typo: JwtOptions = { secret: 's', expiresin: '15m' };
    // @ts-expect-error: an unknown refresh option
    const refresh: JwtOptions = { secret: 's', refresh: { rotate: true } };
    // @ts-expect-error: the secret is text or bytes
    const numeric: JwtOptions = { secret: 42 };
    expectTypeOf([none, rs512, noKid, minutes, typo, refresh, numeric]).toBeArray();
  });
});

describe('TokenService', () => {
  const tokens = createTokenService({ secret: 's'.repeat(32) }, store);

  it('issues for any user with an id and roles, extra fields included', async () => {
    expectTypeOf(await tokens.issue({ id: '1', roles: ['admin'], tenant: 'acme' })).toEqualTypeOf<TokenPair>();
    const user: AuthUser = { id: '1', roles: [] };
    expectTypeOf(tokens.issue(user)).toEqualTypeOf<Promise<TokenPair>>();
    // @ts-expect-error: a user needs roles
    tokens.issue({ id: '1' });
    // @ts-expect-error: the id is a string
    tokens.issue({ id: 1, roles: [] });
  });

  it('types what verify returns, the pair, and the JWKS', async () => {
    const { user, claims } = await tokens.verify('t');
    expectTypeOf(user).toEqualTypeOf<AuthUser & Record<string, unknown>>();
    expectTypeOf(claims).toEqualTypeOf<JWTPayload>();
    expectTypeOf<TokenPair['tokenType']>().toEqualTypeOf<'Bearer'>();
    expectTypeOf<TokenPair['refreshToken']>().toEqualTypeOf<string | undefined>();
    expectTypeOf(tokens.jwks()).toEqualTypeOf<{ keys: JWK[] }>();
    expectTypeOf(tokens.bearer).toEqualTypeOf<(headerValue: string | undefined) => string | undefined>();
  });

  it('refresh takes a reload returning the user or undefined', async () => {
    expectTypeOf(await tokens.refresh('r', async (id) => ({ id, roles: ['user'] }))).toEqualTypeOf<TokenPair>();
    expectTypeOf(await tokens.refresh('r', async () => undefined)).toEqualTypeOf<TokenPair>();
    // The app's user, with its own fields.
    const findUser = async (id: string) => ({ id, roles: ['user'], name: 'Ada', tenant: 'acme' });
    expectTypeOf(await tokens.refresh('r', findUser)).toEqualTypeOf<TokenPair>();
    expectTypeOf(await tokens.refresh('r', async (id) => ({ id, roles: [], name: 'Ada' }))).toEqualTypeOf<TokenPair>();
    // @ts-expect-error: reload must return a promise of a user
    tokens.refresh('r', (id: string) => ({ id, roles: [] }));
  });
});
