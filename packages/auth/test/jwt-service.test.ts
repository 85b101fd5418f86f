import { KeyObject, randomBytes } from 'node:crypto';
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  exportJWK,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { describe, expect, it } from 'vitest';
import type { JwtAlgorithm, JwtKey } from '../src/jwt/options.ts';
import { createTokenService } from '../src/jwt/token-service.ts';
import { MemoryAuthStore } from '../src/store/memory.ts';

const store = new MemoryAuthStore();
const user = { id: '42', roles: ['user', 'editor'], tenant: 'acme' };
const now = (): number => Math.floor(Date.now() / 1000);

async function keyPair(algorithm: Exclude<JwtAlgorithm, `HS${string}`>, kid: string, form: 'pem' | 'jwk' | 'object') {
  const pair = await generateKeyPair(algorithm, { extractable: true });
  const key: JwtKey =
    form === 'pem'
      ? { kid, algorithm, privateKey: await exportPKCS8(pair.privateKey), publicKey: await exportSPKI(pair.publicKey) }
      : form === 'jwk'
        ? { kid, algorithm, privateKey: await exportJWK(pair.privateKey) }
        : { kid, algorithm, privateKey: KeyObject.from(pair.privateKey), publicKey: KeyObject.from(pair.publicKey) };
  return { key, publicKey: pair.publicKey };
}

describe('issuing and verifying, for every algorithm', () => {
  for (const algorithm of ['HS256', 'HS384', 'HS512'] as const) {
    it(`${algorithm} with secret: the token verifies and carries the user`, async () => {
      const tokens = createTokenService({ secret: randomBytes(64), algorithm }, store);
      expect(tokens.algorithms).toEqual([algorithm]);
      const pair = await tokens.issue(user);
      expect(decodeProtectedHeader(pair.accessToken)).toEqual({ alg: algorithm, typ: 'at+jwt' });
      const { user: verified } = await tokens.verify(pair.accessToken);
      expect(verified).toEqual(user);
    });
  }

  for (const [algorithm, form] of [
    ['RS256', 'pem'],
    ['PS256', 'jwk'],
    ['ES256', 'object'],
    ['EdDSA', 'pem'],
    ['ES256', 'jwk'],
  ] as const) {
    it(`${algorithm} from a ${form} key: signed with the private key, verifiable with the published public key`, async () => {
      const { key, publicKey } = await keyPair(algorithm, `${algorithm}-1`, form);
      const tokens = createTokenService({ keys: [key], issuer: 'https://id.example.test' }, store);
      const pair = await tokens.issue(user);
      expect(decodeProtectedHeader(pair.accessToken)).toEqual({ alg: algorithm, typ: 'at+jwt', kid: `${algorithm}-1` });
      expect((await tokens.verify(pair.accessToken)).user).toEqual(user);
      // Another party with only the public key (here jose itself) accepts it too.
      const { payload } = await jwtVerify(pair.accessToken, publicKey, { algorithms: [algorithm], typ: 'at+jwt' });
      expect(payload.sub).toBe('42');
    });
  }

  it('an HS256 key in keys signs with its kid', async () => {
    const tokens = createTokenService({ keys: [{ kid: 'h1', algorithm: 'HS256', secret: randomBytes(32) }] }, store);
    const pair = await tokens.issue(user);
    expect(decodeProtectedHeader(pair.accessToken).kid).toBe('h1');
    await expect(tokens.verify(pair.accessToken)).resolves.toBeDefined();
  });
});

describe('the access token', () => {
  const secret = randomBytes(48).toString('base64url');
  const tokens = createTokenService(
    { secret, expiresIn: '10m', issuer: 'https://api.example.test', audience: ['orders', 'billing'], refresh: {} },
    store,
  );

  it('has sub, roles, jti, iat, exp, iss, aud, the family id and the user fields', async () => {
    const pair = await tokens.issue(user);
    expect(pair).toMatchObject({ tokenType: 'Bearer', expiresIn: 600, refreshExpiresIn: 7 * 86_400 });
    const { claims } = await tokens.verify(pair.accessToken);
    expect(claims).toMatchObject({
      sub: '42',
      roles: ['user', 'editor'],
      tenant: 'acme',
      iss: 'https://api.example.test',
      aud: ['orders', 'billing'],
    });
    expect(claims.exp).toBe((claims.iat ?? 0) + 600);
    expect(Math.abs((claims.iat ?? 0) - now())).toBeLessThanOrEqual(1);
    expect(claims.jti).toMatch(/^[\w-]{16,}$/);
    expect(claims.fid).toMatch(/^[\w-]{16,}$/);
    expect(claims.id).toBeUndefined();
  });

  it('gives each token its own jti', async () => {
    const a = await tokens.verify((await tokens.issue(user)).accessToken);
    const b = await tokens.verify((await tokens.issue(user)).accessToken);
    expect(a.claims.jti).not.toBe(b.claims.jti);
  });

  it('never lets a user field replace a registered claim', async () => {
    const sneaky = {
      id: '42',
      roles: ['user'],
      sub: 'admin',
      exp: 9_999_999_999,
      iss: 'evil',
      aud: 'x',
      jti: 'fixed',
      fid: 'f',
    };
    const { claims, user: verified } = await tokens.verify((await tokens.issue(sneaky)).accessToken);
    expect(claims).toMatchObject({ sub: '42', iss: 'https://api.example.test', aud: ['orders', 'billing'] });
    expect(claims.exp).toBeLessThan(now() + 700);
    expect(claims.jti).not.toBe('fixed');
    expect(claims.fid).not.toBe('f');
    expect(verified).toEqual({ id: '42', roles: ['user'] });
  });

  it('has no family id when refresh is off, and no refresh token', async () => {
    const plain = createTokenService({ secret }, store);
    const pair = await plain.issue(user);
    expect(pair.refreshToken).toBeUndefined();
    expect(plain.refreshes).toBe(false);
    expect((await plain.verify(pair.accessToken)).claims.fid).toBeUndefined();
  });

  it('refuses to issue for a user without an id or with roles that are not strings', async () => {
    await expect(tokens.issue({ id: '', roles: [] })).rejects.toMatchObject({ code: 'FW_AUTH_INVALID_ARGUMENT' });
    await expect(tokens.issue({ id: '1', roles: [1] } as unknown as typeof user)).rejects.toMatchObject({
      code: 'FW_AUTH_INVALID_ARGUMENT',
    });
  });
});

describe('clock tolerance', () => {
  const secret = new TextEncoder().encode(randomBytes(48).toString('base64url'));
  const forge = (claims: JWTPayload) =>
    new SignJWT({ sub: '1', roles: [], jti: 'j', iat: now() - 900, ...claims })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .sign(secret);
  const tokens = createTokenService({ secret }, store);
  const strict = createTokenService({ secret, clockTolerance: 0 }, store);

  it('accepts a token expired 20 s ago, within the default 30 s', async () => {
    await expect(tokens.verify(await forge({ exp: now() - 20 }))).resolves.toBeDefined();
  });

  it('refuses a token expired 61 s ago', async () => {
    await expect(tokens.verify(await forge({ exp: now() - 61 }))).rejects.toMatchObject({ status: 401 });
  });

  it('accepts an nbf 20 s ahead, refuses one 61 s ahead', async () => {
    await expect(tokens.verify(await forge({ exp: now() + 600, nbf: now() + 20 }))).resolves.toBeDefined();
    await expect(tokens.verify(await forge({ exp: now() + 600, nbf: now() + 61 }))).rejects.toMatchObject({
      status: 401,
    });
  });

  it('with clockTolerance 0, refuses a token expired 2 s ago', async () => {
    await expect(strict.verify(await forge({ exp: now() - 2 }))).rejects.toMatchObject({ status: 401 });
    await expect(strict.verify(await forge({ exp: now() + 5 }))).resolves.toBeDefined();
  });

  it('accepts up to 60 s of tolerance', async () => {
    const loose = createTokenService({ secret, clockTolerance: '60s' }, store);
    await expect(loose.verify(await forge({ exp: now() - 50 }))).resolves.toBeDefined();
  });
});

describe('key rotation', () => {
  it('the new key signs, the old key still verifies, a service without the new key refuses its tokens', async () => {
    const old = await keyPair('ES256', 'key-2026-11', 'jwk');
    const next = await keyPair('EdDSA', 'key-2026-12', 'pem');
    const before = createTokenService({ keys: [old.key] }, store);
    const oldToken = (await before.issue(user)).accessToken;

    const after = createTokenService({ keys: [next.key, old.key] }, store);
    expect(after.algorithms).toEqual(['EdDSA', 'ES256']);
    const newToken = (await after.issue(user)).accessToken;
    expect(decodeProtectedHeader(newToken).kid).toBe('key-2026-12');
    await expect(after.verify(oldToken)).resolves.toMatchObject({ user: { id: '42' } });
    await expect(after.verify(newToken)).resolves.toBeDefined();
    await expect(before.verify(newToken)).rejects.toMatchObject({ status: 401, code: 'FW_AUTH_TOKEN_INVALID' });
  });

  it('a key with only a public key verifies and never signs', async () => {
    const retired = await keyPair('RS256', 'retired', 'pem');
    const signer = await keyPair('ES256', 'current', 'object');
    const old = createTokenService({ keys: [retired.key] }, store);
    const token = (await old.issue(user)).accessToken;
    const verifyOnly: JwtKey = { ...retired.key, privateKey: undefined };
    const tokens = createTokenService({ keys: [verifyOnly, signer.key] }, store);
    expect(decodeProtectedHeader((await tokens.issue(user)).accessToken).kid).toBe('current');
    await expect(tokens.verify(token)).resolves.toBeDefined();
  });
});

describe('jwks()', () => {
  it('publishes the public half of each asymmetric key with kid, alg and use, and nothing secret', async () => {
    const rsa = await keyPair('RS256', 'r', 'pem');
    const ec = await keyPair('ES256', 'e', 'jwk');
    const ed = await keyPair('EdDSA', 'd', 'object');
    const tokens = createTokenService(
      { keys: [rsa.key, { kid: 'h', algorithm: 'HS256', secret: randomBytes(32) }, ec.key, ed.key] },
      store,
    );
    const { keys } = tokens.jwks();
    expect(keys.map((k) => [k.kid, k.alg, k.use, k.kty])).toEqual([
      ['r', 'RS256', 'sig', 'RSA'],
      ['e', 'ES256', 'sig', 'EC'],
      ['d', 'EdDSA', 'sig', 'OKP'],
    ]);
    for (const key of keys) {
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']) expect(key).not.toHaveProperty(secret);
    }
    // A client verifies our tokens with nothing but the JWKS.
    const token = (await tokens.issue(user)).accessToken;
    const { payload } = await jwtVerify(token, createLocalJWKSet(tokens.jwks()), { algorithms: ['RS256'] });
    expect(payload.sub).toBe('42');
  });

  it('is empty for HMAC-only services, and a copy the caller cannot corrupt', async () => {
    expect(createTokenService({ secret: randomBytes(32) }, store).jwks()).toEqual({ keys: [] });
    const ec = await keyPair('ES256', 'e', 'jwk');
    const tokens = createTokenService({ keys: [ec.key] }, store);
    const first = tokens.jwks();
    first.keys[0]!.kid = 'changed';
    expect(tokens.jwks().keys[0]!.kid).toBe('e');
  });
});

describe('bearer()', () => {
  const tokens = createTokenService({ secret: randomBytes(32) }, store);
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';

  it('reads the token of a Bearer header, the scheme in any case', () => {
    expect(tokens.bearer(`Bearer ${jwt}`)).toBe(jwt);
    expect(tokens.bearer(`bearer ${jwt}`)).toBe(jwt);
    expect(tokens.bearer(`BEARER ${jwt}`)).toBe(jwt);
  });

  it('JW-07: gives nothing for Basic <jwt>, Token <jwt>, two tokens, a list, empty or absent', () => {
    expect(tokens.bearer(`Basic ${jwt}`)).toBeUndefined();
    expect(tokens.bearer(`Token ${jwt}`)).toBeUndefined();
    expect(tokens.bearer(`Bearer ${jwt} ${jwt}`)).toBeUndefined();
    expect(tokens.bearer(`Bearer ${jwt}, Bearer ${jwt}`)).toBeUndefined();
    expect(tokens.bearer(`Bearer${jwt}`)).toBeUndefined();
    expect(tokens.bearer('Bearer ')).toBeUndefined();
    expect(tokens.bearer('Bearer')).toBeUndefined();
    expect(tokens.bearer('')).toBeUndefined();
    expect(tokens.bearer(undefined)).toBeUndefined();
  });
});
