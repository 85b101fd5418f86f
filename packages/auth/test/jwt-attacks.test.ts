import { createHmac, randomBytes } from 'node:crypto';
import {
  base64url,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWTHeaderParameters,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuthStoreUnavailableError } from '../src/errors.ts';
import { createTokenService } from '../src/jwt/token-service.ts';
import { MemoryAuthStore } from '../src/store/memory.ts';
import type { AuthStore } from '../src/store/types.ts';

// Each case is a token an attacker can build; each must get a 401 with the code a client sees.

const SECRET = randomBytes(48).toString('base64url');
const SECRET_BYTES = new TextEncoder().encode(SECRET);
const ISSUER = 'https://api.example.test';
const AUDIENCE = 'orders-api';

const now = (): number => Math.floor(Date.now() / 1000);

function hmacService(store: AuthStore = new MemoryAuthStore()) {
  return createTokenService({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE, refresh: {} }, store);
}

/** Valid claims for a token of `hmacService`: an attack changes one thing. */
function claims(overrides: JWTPayload = {}): JWTPayload {
  const t = now();
  return {
    sub: '7',
    roles: ['user'],
    jti: randomBytes(8).toString('hex'),
    iat: t,
    exp: t + 600,
    iss: ISSUER,
    aud: AUDIENCE,
    ...overrides,
  };
}

async function forge(
  payload: JWTPayload,
  header: Partial<JWTHeaderParameters> = {},
  key: Parameters<SignJWT['sign']>[0] = SECRET_BYTES,
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', ...header }).sign(key);
}

function encode(value: unknown): string {
  return base64url.encode(JSON.stringify(value));
}

/** A token HMAC-signed with the service's own secret, whatever its header says. */
function signRaw(header: Record<string, unknown>, payload: JWTPayload): string {
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${createHmac('sha256', SECRET_BYTES).update(input).digest('base64url')}`;
}

/** Asserts the 401, its code, and the reason the client reads in WWW-Authenticate. */
async function expectInvalid(promise: Promise<unknown>, reason: string, code = 'FW_AUTH_TOKEN_INVALID'): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ status: 401, code });
  expect((error as { headers: Record<string, string> }).headers['www-authenticate']).toBe(
    `Bearer realm="app", error="invalid_token", error_description="${reason}"`,
  );
}

const HEADER = 'the token header has a parameter that is not accepted';
const UNKNOWN_KEY = 'the token names an unknown key';
const ALGORITHM = 'the token algorithm is not accepted';
const SIGNATURE = 'the token signature is invalid';
const NOT_JWS = 'the token is not a signed JWT';
const MISSING = 'the token lacks a required claim';
const REVOKED = 'the token was revoked';

describe('JWT attacks on an HS256 service', () => {
  const tokens = hmacService();

  it('accepts the genuine token the attacks start from', async () => {
    const { user } = await tokens.verify(await forge(claims()));
    expect(user).toMatchObject({ id: '7', roles: ['user'] });
  });

  it('JW-01: refuses alg none with the signature stripped', async () => {
    const token = `${encode({ alg: 'none', typ: 'at+jwt' })}.${encode(claims({ roles: ['admin'] }))}.`;
    await expectInvalid(tokens.verify(token), NOT_JWS);
  });

  it('refuses alg none with a signature left on', async () => {
    const genuine = await forge(claims());
    const signature = genuine.split('.')[2];
    const token = `${encode({ alg: 'none', typ: 'at+jwt' })}.${encode(claims({ roles: ['admin'] }))}.${signature}`;
    await expectInvalid(tokens.verify(token), ALGORITHM);
  });

  it('refuses a token signed with the same secret under another algorithm (HS512)', async () => {
    await expectInvalid(tokens.verify(await forge(claims(), { alg: 'HS512' })), ALGORITHM);
  });

  it('refuses a token signed with another secret', async () => {
    await expectInvalid(tokens.verify(await forge(claims(), {}, randomBytes(48))), SIGNATURE);
  });

  it('refuses a tampered payload (roles raised to admin, signature kept)', async () => {
    const [header, , signature] = (await forge(claims())).split('.');
    await expectInvalid(tokens.verify(`${header}.${encode(claims({ roles: ['admin'] }))}.${signature}`), SIGNATURE);
  });

  it('JW-03: refuses a token expired 61 s ago (past the 30 s tolerance)', async () => {
    await expectInvalid(tokens.verify(await forge(claims({ exp: now() - 61 }))), 'the token expired');
  });

  it('JW-03: refuses a token whose nbf is 61 s in the future', async () => {
    await expectInvalid(tokens.verify(await forge(claims({ nbf: now() + 61 }))), 'the token is not valid yet');
  });

  it('JW-03: refuses a token without exp', async () => {
    await expectInvalid(tokens.verify(await forge(claims({ exp: undefined }))), MISSING);
  });

  it('refuses a token without sub, and one whose roles are not a list of strings', async () => {
    await expectInvalid(tokens.verify(await forge(claims({ sub: undefined }))), MISSING);
    await expectInvalid(tokens.verify(await forge(claims({ roles: 'admin' }))), 'the token lacks its roles');
  });

  it('JW-05: refuses a wrong iss, and a missing one', async () => {
    await expectInvalid(
      tokens.verify(await forge(claims({ iss: 'https://evil.example' }))),
      'the token has the wrong issuer',
    );
    await expectInvalid(tokens.verify(await forge(claims({ iss: undefined }))), MISSING);
  });

  it('refuses a wrong aud, as a string and as an array', async () => {
    await expectInvalid(tokens.verify(await forge(claims({ aud: 'billing-api' }))), 'the token has the wrong audience');
    await expectInvalid(
      tokens.verify(await forge(claims({ aud: ['billing-api', 'admin-api'] }))),
      'the token has the wrong audience',
    );
  });

  it('refuses an audience not in a configured array', async () => {
    const multi = createTokenService({ secret: SECRET, audience: ['a-api', 'b-api'] }, new MemoryAuthStore());
    await expectInvalid(
      multi.verify(await forge(claims({ iss: undefined, aud: ['c-api'] }))),
      'the token has the wrong audience',
    );
    await expect(multi.verify(await forge(claims({ iss: undefined, aud: ['c-api', 'b-api'] })))).resolves.toBeDefined();
  });

  it('JW-05: refuses an ID token (typ JWT) presented as an access token, and a token without typ', async () => {
    await expectInvalid(
      tokens.verify(await forge(claims({ nonce: 'n' }), { typ: 'JWT' })),
      'the token is not an access token',
    );
    const untyped = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(SECRET_BYTES);
    await expectInvalid(tokens.verify(untyped), 'the token is not an access token');
  });

  it('JW-06: refuses a jku header pointing at an attacker key set', async () => {
    await expectInvalid(tokens.verify(await forge(claims(), { jku: 'https://evil.example/jwks.json' })), HEADER);
  });

  it('JW-06: refuses an x5u header', async () => {
    await expectInvalid(tokens.verify(await forge(claims(), { x5u: 'https://evil.example/cert.pem' })), HEADER);
  });

  it('JW-06: refuses an embedded jwk header, even with a signature made by that key', async () => {
    const attacker = await generateKeyPair('ES256', { extractable: true });
    const token = await forge(
      claims(),
      { alg: 'ES256', jwk: await exportJWK(attacker.publicKey) },
      attacker.privateKey,
    );
    await expectInvalid(tokens.verify(token), HEADER);
  });

  it('refuses a crit header, and an x5c chain', async () => {
    await expectInvalid(tokens.verify(signRaw({ alg: 'HS256', typ: 'at+jwt', crit: ['exp'] }, claims())), HEADER);
    await expectInvalid(tokens.verify(await forge(claims(), { x5c: ['MIIB'] })), HEADER);
  });

  it('refuses a kid when the service has a single secret (no key is picked by it)', async () => {
    await expectInvalid(tokens.verify(await forge(claims(), { kid: 'any' })), UNKNOWN_KEY);
  });

  it('JW-07: refuses a 100 kB token before any cryptography', async () => {
    const token = await forge(claims({ padding: 'x'.repeat(100_000) }));
    await expectInvalid(tokens.verify(token), 'the token is too long');
  });

  it('refuses what is not a compact JWS: garbage, two parts, a JWE (five parts)', async () => {
    await expectInvalid(tokens.verify('not-a-token'), NOT_JWS);
    await expectInvalid(tokens.verify('abc.def'), NOT_JWS);
    await expectInvalid(tokens.verify('a.b.c.d.e'), NOT_JWS);
    await expectInvalid(tokens.verify(`${encode({ alg: 'HS256', typ: 'at+jwt' })}.e30.%%%`), NOT_JWS);
  });

  it('refuses a header that is not JSON', async () => {
    await expectInvalid(
      tokens.verify(`${base64url.encode('{not json')}.${encode(claims())}.c2ln`),
      'the token header is malformed',
    );
  });

  it('refuses an access token after revokeAccess (logout), keeping the others', async () => {
    const pair = await tokens.issue({ id: '7', roles: ['user'] });
    const other = await tokens.issue({ id: '7', roles: ['user'] });
    const { claims: verified } = await tokens.verify(pair.accessToken);
    await tokens.revokeAccess(verified);
    await expectInvalid(tokens.verify(pair.accessToken), REVOKED);
    await expect(tokens.verify(other.accessToken)).resolves.toBeDefined();
  });

  it('refuses the access tokens of a revoked family (revokeRefresh)', async () => {
    const pair = await tokens.issue({ id: '7', roles: ['user'] });
    await tokens.revokeRefresh(pair.refreshToken ?? '');
    await expectInvalid(tokens.verify(pair.accessToken), REVOKED);
  });

  it('refuses the tokens issued before a user cut-off (revokeUser), and not a later sign-in', async () => {
    const before = await tokens.issue({ id: '8', roles: ['user'] });
    const someoneElse = await tokens.issue({ id: '9', roles: ['user'] });
    await tokens.revokeUser('8');
    await expectInvalid(tokens.verify(before.accessToken), REVOKED);
    await expectInvalid(
      tokens.refresh(before.refreshToken ?? '', async (id) => ({ id, roles: [] })),
      'the refresh token is unknown, expired or revoked',
    );
    const after = await tokens.issue({ id: '8', roles: ['user'] });
    await expect(tokens.verify(after.accessToken)).resolves.toMatchObject({ user: { id: '8' } });
    await expect(tokens.verify(someoneElse.accessToken)).resolves.toBeDefined();
  });

  it('refuses a refresh token presented as an access token', async () => {
    const pair = await tokens.issue({ id: '7', roles: ['user'] });
    await expectInvalid(tokens.verify(pair.refreshToken ?? ''), NOT_JWS);
  });

  it('refuses an access token presented as a refresh token', async () => {
    const pair = await tokens.issue({ id: '7', roles: ['user'] });
    await expectInvalid(
      tokens.refresh(pair.accessToken, async (id) => ({ id, roles: [] })),
      'the refresh token is unknown, expired or revoked',
    );
  });

  it('a refresh token presented after its rotation revokes its family with FW_AUTH_REFRESH_REUSED', async () => {
    const pair = await tokens.issue({ id: '7', roles: ['user'] });
    const next = await tokens.refresh(pair.refreshToken ?? '', async (id) => ({ id, roles: ['user'] }));
    await expectInvalid(
      tokens.refresh(pair.refreshToken ?? '', async (id) => ({ id, roles: [] })),
      'the refresh token was already used',
      'FW_AUTH_REFRESH_REUSED',
    );
    await expectInvalid(tokens.verify(next.accessToken), REVOKED);
  });

  it('a store that fails refuses the token with its 503, never lets it through', async () => {
    const failing = new MemoryAuthStore();
    const down = hmacService(failing);
    const token = (await down.issue({ id: '7', roles: ['user'] })).accessToken;
    failing.get = async () => {
      throw new AuthStoreUnavailableError('memory');
    };
    await expect(down.verify(token)).rejects.toMatchObject({ status: 503, code: 'FW_AUTH_STORE_UNAVAILABLE' });
  });
});

describe('JWT attacks on a service with several keys', () => {
  let tokens: ReturnType<typeof createTokenService>;
  let rsaPublicPem: string;
  let rsaPublicJwk: JWTPayload;

  beforeAll(async () => {
    const rsa = await generateKeyPair('RS256', { extractable: true });
    rsaPublicPem = await exportSPKI(rsa.publicKey);
    rsaPublicJwk = { ...(await exportJWK(rsa.publicKey)) };
    tokens = createTokenService(
      {
        keys: [
          { kid: 'rsa-1', algorithm: 'RS256', privateKey: await exportJWK(rsa.privateKey) },
          { kid: 'hs-1', algorithm: 'HS256', secret: SECRET },
        ],
      },
      new MemoryAuthStore(),
    );
  });

  const plain = (overrides: JWTPayload = {}): JWTPayload => claims({ iss: undefined, aud: undefined, ...overrides });

  it('accepts a token signed by the HS256 key under its own kid', async () => {
    await expect(tokens.verify(await forge(plain(), { kid: 'hs-1' }))).resolves.toBeDefined();
  });

  it("refuses HS256 made with the RS256 key's public PEM as the HMAC secret", async () => {
    const token = await forge(plain({ roles: ['admin'] }), { kid: 'rsa-1' }, new TextEncoder().encode(rsaPublicPem));
    await expectInvalid(tokens.verify(token), ALGORITHM);
  });

  it("refuses HS256 made with the RS256 key's public JWK bytes as the HMAC secret", async () => {
    const secret = new TextEncoder().encode(JSON.stringify(rsaPublicJwk));
    await expectInvalid(tokens.verify(await forge(plain({ roles: ['admin'] }), { kid: 'rsa-1' }, secret)), ALGORITHM);
  });

  it('refuses an HS256 token under a kid whose key is another HMAC key (no fallback)', async () => {
    await expectInvalid(tokens.verify(await forge(plain(), { kid: 'hs-2' })), UNKNOWN_KEY);
  });

  it('JW-06: refuses kid ../../dev/null', async () => {
    await expectInvalid(tokens.verify(await forge(plain(), { kid: '../../dev/null' })), UNKNOWN_KEY);
  });

  it("JW-06: refuses an SQL-ish kid (' OR '1'='1)", async () => {
    await expectInvalid(tokens.verify(await forge(plain(), { kid: "' OR '1'='1" })), UNKNOWN_KEY);
  });

  it('refuses kid __proto__ and constructor (no prototype lookup)', async () => {
    await expectInvalid(tokens.verify(await forge(plain(), { kid: '__proto__' })), UNKNOWN_KEY);
    await expectInvalid(tokens.verify(await forge(plain(), { kid: 'constructor' })), UNKNOWN_KEY);
  });

  it('refuses a token without kid (never tries each key)', async () => {
    await expectInvalid(tokens.verify(await forge(plain())), UNKNOWN_KEY);
  });

  it('refuses a kid that is not a string', async () => {
    await expectInvalid(tokens.verify(signRaw({ alg: 'HS256', typ: 'at+jwt', kid: 1 }, plain())), UNKNOWN_KEY);
  });
});
