import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { JwtOptions } from '../src/jwt/options.ts';
import { createTokenService } from '../src/jwt/token-service.ts';
import { MemoryAuthStore } from '../src/store/memory.ts';

// What a developer sees for a wrong configuration: the error at start-up, naming the option and
// saying what to write.

const WHERE = 'auth({ strategies: { jwt } })';
const SECRET = randomBytes(48).toString('base64url');
const MAKE = `node -e "console.log(require('crypto').randomBytes(48).toString('base64url'))"`;

function configError(options: JwtOptions, where?: string): { name: string; code: string; message: string } {
  try {
    createTokenService(options, new MemoryAuthStore(), where);
  } catch (error) {
    const { name, code, message } = error as { name: string; code: string; message: string };
    return { name, code, message };
  }
  throw new Error('expected createTokenService to throw');
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const otherEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (key: typeof rsa.privateKey, type: 'pkcs8' | 'spki') => key.export({ format: 'pem', type }).toString();

describe('JWT configuration errors', () => {
  it('refuses an HS256 secret shorter than 32 bytes, saying how to make one', () => {
    const error = configError({ secret: 'x'.repeat(31) });
    expect(error).toMatchObject({ name: 'AuthConfigError', code: 'FW_AUTH_CONFIG' });
    expect(error.message).toContain(`${WHERE} secret is 31 bytes; HS256 needs at least 32`);
    expect(error.message).toContain(MAKE);
  });

  it('refuses secrets shorter than the hash for HS384 (48) and HS512 (64)', () => {
    expect(configError({ secret: 'x'.repeat(47), algorithm: 'HS384' }).message).toContain('HS384 needs at least 48');
    expect(configError({ secret: randomBytes(63), algorithm: 'HS512' }).message).toContain('HS512 needs at least 64');
    expect(() =>
      createTokenService({ secret: 'x'.repeat(64), algorithm: 'HS512' }, new MemoryAuthStore()),
    ).not.toThrow();
  });

  it('refuses a missing secret in production (an unset JWT_SECRET), saying what to set', () => {
    const before = { env: process.env.NODE_ENV, secret: process.env.JWT_SECRET };
    process.env.NODE_ENV = 'production';
    delete process.env.JWT_SECRET;
    try {
      const error = configError({ secret: process.env.JWT_SECRET_THAT_IS_NOT_SET });
      expect(error.message).toContain(`${WHERE} needs secret (or keys): set JWT_SECRET (made by ${MAKE})`);
    } finally {
      process.env.NODE_ENV = before.env;
      if (before.secret !== undefined) process.env.JWT_SECRET = before.secret;
    }
  });

  it('takes JWT_SECRET when no secret is given, and outside production makes one for the process, with a warning', async () => {
    const before = process.env.JWT_SECRET;
    try {
      process.env.JWT_SECRET = SECRET;
      const fromEnv = createTokenService({}, new MemoryAuthStore());
      expect(fromEnv.warnings).toEqual([]);
      const signed = createTokenService({ secret: SECRET }, new MemoryAuthStore());
      const { accessToken } = await signed.issue({ id: '1', roles: [] });
      expect((await fromEnv.verify(accessToken)).user.id).toBe('1');
      delete process.env.JWT_SECRET;
      const made = createTokenService({}, new MemoryAuthStore());
      expect(made.warnings.join('')).toContain(
        'no JWT_SECRET, so tokens are signed with a random secret made for this process',
      );
      await expect(made.verify(accessToken)).rejects.toMatchObject({ code: 'FW_AUTH_TOKEN_INVALID' });
    } finally {
      if (before !== undefined) process.env.JWT_SECRET = before;
    }
  });

  it('refuses refresh.rotateSecret: false, explaining that reuse detection needs rotation', () => {
    const error = configError({ secret: SECRET, refresh: { enabled: true, rotateSecret: false } });
    expect(error).toMatchObject({ name: 'AuthConfigError', code: 'FW_AUTH_CONFIG' });
    expect(error.message).toContain(`${WHERE} refresh.rotateSecret: false is not supported`);
    expect(error.message).toContain('presented twice, it revokes its whole family');
    expect(error.message).toContain('write rotateSecret: true');
    expect(() =>
      createTokenService({ secret: SECRET, refresh: { rotateSecret: true } }, new MemoryAuthStore()),
    ).not.toThrow();
  });

  it('refuses a clock tolerance over 60 s', () => {
    const error = configError({ secret: SECRET, clockTolerance: '61s' });
    expect(error.message).toContain(`${WHERE} clockTolerance is 61 s; at most 60 s is allowed`);
    expect(error.message).toContain("clockTolerance: '30s'");
    expect(configError({ secret: SECRET, clockTolerance: '2m' }).message).toContain('clockTolerance is 120 s');
  });

  it('refuses an unknown option with core\'s "did you mean"', () => {
    const error = configError({ secret: SECRET, expiresin: '15m' } as JwtOptions);
    expect(error.code).toBe('FW_ERR_UNKNOWN_OPTION');
    expect(error.message).toContain(`${WHERE} has no option "expiresin". Did you mean "expiresIn"?`);
    const nested = configError({ secret: SECRET, refresh: { expires: '7d' } as JwtOptions['refresh'] });
    expect(nested.message).toContain(`${WHERE} refresh has no option "expires"`);
  });

  it('refuses a duration it cannot read, naming the option', () => {
    const error = configError({ secret: SECRET, expiresIn: '15 minutes' as JwtOptions['expiresIn'] });
    expect(error).toMatchObject({ name: 'AuthConfigError', code: 'FW_AUTH_CONFIG' });
    expect(error.message).toContain(`${WHERE} expiresIn must be a duration`);
  });

  it('names the place it was given', () => {
    expect(configError({ secret: 'short' }, 'tokens()').message).toMatch(/^tokens\(\) secret is 5 bytes/);
  });

  it('refuses an asymmetric algorithm with a secret, saying to use keys', () => {
    const error = configError({ secret: SECRET, algorithm: 'RS256' });
    expect(error.message).toContain(`${WHERE} algorithm 'RS256' signs with a key pair, not a secret: write keys: [{`);
  });

  it('refuses secret and keys together', () => {
    expect(configError({ secret: SECRET, keys: [{ kid: 'a', algorithm: 'HS256', secret: SECRET }] }).message).toContain(
      `${WHERE} has keys and also secret: use one or the other`,
    );
  });

  it('refuses a kid used twice, and an odd kid', () => {
    const key = { kid: 'k1', algorithm: 'HS256', secret: SECRET } as const;
    expect(configError({ keys: [key, key] }).message).toContain(`${WHERE} keys[1].kid 'k1' is used twice`);
    expect(configError({ keys: [{ ...key, kid: '../etc' }] }).message).toContain(
      `${WHERE} keys[0].kid must be 1 to 128`,
    );
  });

  it('refuses a key that does not fit its algorithm', () => {
    const error = configError({ keys: [{ kid: 'r', algorithm: 'RS256', privateKey: pem(ec.privateKey, 'pkcs8') }] });
    expect(error.message).toContain(
      `${WHERE} keys[0] is RS256, which needs an RSA key of at least 2048 bits; got a key of type 'ec'`,
    );
    expect(configError({ keys: [{ kid: 'e', algorithm: 'EdDSA', publicKey: ec.publicKey }] }).message).toContain(
      'needs an Ed25519 key',
    );
  });

  it('refuses a public key that is not the pair of the private key', () => {
    const error = configError({
      keys: [{ kid: 'e', algorithm: 'ES256', privateKey: ec.privateKey, publicKey: otherEc.publicKey }],
    });
    expect(error.message).toContain(`${WHERE} keys[0].publicKey is not the public half of its privateKey`);
  });

  it('refuses a private key given as publicKey, and a secret given to an RSA key', () => {
    expect(
      configError({ keys: [{ kid: 'r', algorithm: 'RS256', publicKey: pem(rsa.privateKey, 'pkcs8') }] }).message,
    ).toContain(`${WHERE} keys[0].publicKey must be a public key`);
    expect(configError({ keys: [{ kid: 'r', algorithm: 'RS256', secret: SECRET }] }).message).toContain(
      'takes privateKey/publicKey, not secret',
    );
    expect(configError({ keys: [{ kid: 'r', algorithm: 'RS256', privateKey: 'not a pem' }] }).message).toContain(
      `${WHERE} keys[0].privateKey must be a private key`,
    );
  });

  it('refuses keys none of which can sign', () => {
    expect(
      configError({ keys: [{ kid: 'r', algorithm: 'RS256', publicKey: pem(rsa.publicKey, 'spki') }] }).message,
    ).toContain(`${WHERE} keys has no key that can sign`);
  });

  it('refuses an unknown algorithm and an unknown key option', () => {
    expect(configError({ keys: [{ kid: 'a', algorithm: 'HS1' as 'HS256', secret: SECRET }] }).message).toContain(
      `${WHERE} keys[0].algorithm must be one of HS256, HS384, HS512, RS256, PS256, ES256, EdDSA`,
    );
    const error = configError({ keys: [{ kid: 'a', algorithm: 'HS256', secret: SECRET, alg: 'HS256' } as never] });
    expect(error.message).toContain(`${WHERE} keys[0] has no option "alg"`);
  });

  it('refuses a maxTokenLength that is not a sensible whole number', () => {
    expect(configError({ secret: SECRET, maxTokenLength: 10 }).message).toContain(`${WHERE} maxTokenLength must be`);
  });
});
