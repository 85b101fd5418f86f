import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { checkOptions, type KnownOptions } from '@framework/core';
import type { JWK } from 'jose';
import { AuthConfigError } from '../errors.ts';
import type { JwtAlgorithm, JwtKey, JwtKeyMaterial, JwtOptions } from './options.ts';

/**
 * A key as the token service uses it: one algorithm, never chosen by a token.
 *
 * @example
 * ```ts
 * const key: RingKey | undefined = ring.byKid.get('2026-12');
 * ```
 */
export interface RingKey {
  /** `undefined` for the single `secret`: its tokens carry no `kid`. */
  readonly kid: string | undefined;
  readonly algorithm: JwtAlgorithm;
  /** The HMAC secret, or the asymmetric public key. */
  readonly verifyKey: Uint8Array | KeyObject;
}

/**
 * The key that signs.
 *
 * @example
 * ```ts
 * const { kid, algorithm }: SigningKey = ring.signer;
 * ```
 */
export interface SigningKey extends RingKey {
  readonly signKey: Uint8Array | KeyObject;
}

/**
 * The live keys: the one that signs, those that verify (by `kid`), and the public JWKS.
 *
 * @example
 * ```ts
 * const ring: KeyRing = createKeyRing({ keys }, 'auth({ strategies: { jwt } })');
 * ring.jwks.keys.length; // the asymmetric keys
 * ```
 */
export interface KeyRing {
  readonly signer: SigningKey;
  /** A `Map`, so that a `kid` such as `__proto__` or `constructor` finds nothing. */
  readonly byKid: ReadonlyMap<string, RingKey>;
  /** With `secret` (no `keys`): the one key, for tokens without `kid`. */
  readonly single: RingKey | undefined;
  readonly algorithms: readonly JwtAlgorithm[];
  readonly jwks: { readonly keys: readonly JWK[] };
}

/** HMAC algorithms and their minimum secret length in bytes (the hash size, RFC 7518 §3.2). */
const HMAC_BYTES: Readonly<Record<string, number>> = { HS256: 32, HS384: 48, HS512: 64 };
const ALGORITHMS: readonly JwtAlgorithm[] = ['HS256', 'HS384', 'HS512', 'RS256', 'PS256', 'ES256', 'EdDSA'];
const KID = /^[A-Za-z0-9._:-]{1,128}$/;
const MAKE_SECRET = `node -e "console.log(require('crypto').randomBytes(48).toString('base64url'))"`;

const KEY_OPTIONS: KnownOptions<JwtKey> = {
  kid: true,
  algorithm: true,
  privateKey: true,
  publicKey: true,
  secret: true,
};

/**
 * Reads and checks the keys of `options` (`secret` or `keys`), synchronously, so that a weak or
 * mismatched key stops the app at start-up.
 *
 * @example
 * ```ts
 * const ring = createKeyRing({ secret: process.env.JWT_SECRET }, 'auth({ strategies: { jwt } })');
 * ring.signer.algorithm; // 'HS256'
 * ```
 */
export function createKeyRing(options: JwtOptions, where: string): KeyRing {
  if (options.keys !== undefined) {
    if (options.secret !== undefined || options.algorithm !== undefined) {
      throw new AuthConfigError(
        `${where} has keys and also ${options.secret !== undefined ? 'secret' : 'algorithm'}: use one or the other. ` +
          `With keys, each key has its own algorithm (and secret for HMAC).`,
      );
    }
    return ringFromKeys(options.keys, where);
  }
  const algorithm = options.algorithm ?? 'HS256';
  if (!ALGORITHMS.includes(algorithm)) {
    throw new AuthConfigError(
      `${where} algorithm ${JSON.stringify(algorithm)} is not supported; write one of ${ALGORITHMS.join(', ')}.`,
    );
  }
  if (HMAC_BYTES[algorithm] === undefined) {
    throw new AuthConfigError(
      `${where} algorithm '${algorithm}' signs with a key pair, not a secret: write ` +
        `keys: [{ kid: '1', algorithm: '${algorithm}', privateKey: process.env.JWT_PRIVATE_KEY }] instead of secret/algorithm.`,
    );
  }
  if (options.secret === undefined || options.secret === '') {
    throw new AuthConfigError(
      `${where} needs secret (or keys): set secret: process.env.JWT_SECRET, with JWT_SECRET made by ${MAKE_SECRET}.`,
    );
  }
  const secret = hmacSecret(options.secret, algorithm, where, 'secret');
  const key: SigningKey = { kid: undefined, algorithm, verifyKey: secret, signKey: secret };
  return { signer: key, byKid: new Map(), single: key, algorithms: [algorithm], jwks: { keys: [] } };
}

function ringFromKeys(keys: readonly JwtKey[], where: string): KeyRing {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new AuthConfigError(
      `${where} keys must be a non-empty array, e.g. keys: [{ kid: '1', algorithm: 'ES256', privateKey }].`,
    );
  }
  const byKid = new Map<string, RingKey>();
  const published: JWK[] = [];
  let signer: SigningKey | undefined;
  keys.forEach((key, index) => {
    const at = `${where} keys[${index}]`;
    checkOptions(at, key, KEY_OPTIONS);
    if (typeof key.kid !== 'string' || !KID.test(key.kid)) {
      throw new AuthConfigError(
        `${at}.kid must be 1 to 128 letters, digits, '.', '_', ':' or '-', e.g. kid: '2026-12'.`,
      );
    }
    if (byKid.has(key.kid))
      throw new AuthConfigError(`${at}.kid '${key.kid}' is used twice; give each key its own kid.`);
    if (!ALGORITHMS.includes(key.algorithm)) {
      throw new AuthConfigError(
        `${at}.algorithm must be one of ${ALGORITHMS.join(', ')}; got ${JSON.stringify(key.algorithm)}.`,
      );
    }
    const read = HMAC_BYTES[key.algorithm] !== undefined ? readHmacKey(key, at) : readKeyPair(key, at);
    byKid.set(key.kid, read.ring);
    if (read.jwk !== undefined) published.push(read.jwk);
    if (signer === undefined && read.signKey !== undefined) signer = { ...read.ring, signKey: read.signKey };
  });
  if (signer === undefined) {
    throw new AuthConfigError(`${where} keys has no key that can sign: give one a privateKey (or a secret for HMAC).`);
  }
  const algorithms = [...new Set([...byKid.values()].map((k) => k.algorithm))];
  return { signer, byKid, single: undefined, algorithms, jwks: { keys: published } };
}

interface ReadKey {
  ring: RingKey;
  signKey: Uint8Array | KeyObject | undefined;
  jwk: JWK | undefined;
}

function readHmacKey(key: JwtKey, at: string): ReadKey {
  if (key.privateKey !== undefined || key.publicKey !== undefined) {
    throw new AuthConfigError(
      `${at} is ${key.algorithm}, which takes a secret, not privateKey/publicKey; write secret: process.env.JWT_SECRET.`,
    );
  }
  if (key.secret === undefined)
    throw new AuthConfigError(`${at} is ${key.algorithm} and needs secret (made by ${MAKE_SECRET}).`);
  const secret = hmacSecret(key.secret, key.algorithm, at, 'secret');
  return { ring: { kid: key.kid, algorithm: key.algorithm, verifyKey: secret }, signKey: secret, jwk: undefined };
}

function hmacSecret(value: string | Uint8Array, algorithm: JwtAlgorithm, at: string, option: string): Uint8Array {
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
  if (!(bytes instanceof Uint8Array)) throw new AuthConfigError(`${at} ${option} must be a string or a Uint8Array.`);
  const needed = HMAC_BYTES[algorithm] ?? 32;
  if (bytes.length < needed) {
    throw new AuthConfigError(
      `${at} ${option} is ${bytes.length} bytes; ${algorithm} needs at least ${needed} (its hash size), ` +
        `or the secret can be guessed offline from one token. Make one with ${MAKE_SECRET} and keep it in an environment variable.`,
    );
  }
  // A copy: the caller's buffer may be reused or zeroed after start-up.
  return Uint8Array.from(bytes);
}

function readKeyPair(key: JwtKey, at: string): ReadKey {
  if (key.secret !== undefined) {
    throw new AuthConfigError(
      `${at} is ${key.algorithm}, which takes privateKey/publicKey, not secret; for a secret use an HS256 key.`,
    );
  }
  if (key.privateKey === undefined && key.publicKey === undefined) {
    throw new AuthConfigError(
      `${at} needs privateKey (to sign) or publicKey (to verify only), as PEM, JWK or KeyObject.`,
    );
  }
  const privateKey =
    key.privateKey === undefined ? undefined : toKeyObject(key.privateKey, 'private', `${at}.privateKey`);
  let publicKey: KeyObject;
  if (key.publicKey !== undefined) publicKey = toKeyObject(key.publicKey, 'public', `${at}.publicKey`);
  else if (privateKey !== undefined) publicKey = createPublicKey(privateKey);
  else throw new AuthConfigError(`${at} needs privateKey or publicKey.`);
  checkKeyType(publicKey, key.algorithm, at);
  const jwk = publicKey.export({ format: 'jwk' });
  if (privateKey !== undefined && !sameKey(jwk, createPublicKey(privateKey).export({ format: 'jwk' }))) {
    throw new AuthConfigError(
      `${at}.publicKey is not the public half of its privateKey; give the pair's public key, or leave it out.`,
    );
  }
  return {
    ring: { kid: key.kid, algorithm: key.algorithm, verifyKey: publicKey },
    signKey: privateKey,
    jwk: { ...jwk, kid: key.kid, alg: key.algorithm, use: 'sig' },
  };
}

function toKeyObject(material: JwtKeyMaterial, type: 'private' | 'public', at: string): KeyObject {
  const what =
    type === 'private'
      ? 'a private key (PKCS#8 PEM, private JWK or KeyObject)'
      : 'a public key (SPKI PEM, certificate, public JWK or KeyObject)';
  let key: KeyObject;
  try {
    if (isKeyObject(material)) key = material;
    else if (typeof material === 'string')
      key = type === 'private' ? createPrivateKey(material) : createPublicKey(material);
    else
      key =
        type === 'private'
          ? createPrivateKey({ key: material, format: 'jwk' })
          : createPublicKey({ key: material, format: 'jwk' });
  } catch (error) {
    throw new AuthConfigError(
      `${at} must be ${what}; it could not be read (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
  // A private key given as publicKey would be accepted by createPublicKey; refuse it so that a
  // private key is never configured where public material is expected.
  const isPrivateMaterial =
    key.type === 'private' ||
    (typeof material === 'string' && material.includes('PRIVATE KEY')) ||
    (typeof material === 'object' && !isKeyObject(material) && material.d !== undefined);
  if (key.type === 'secret' || (type === 'public') === isPrivateMaterial)
    throw new AuthConfigError(`${at} must be ${what}.`);
  return key;
}

function isKeyObject(value: unknown): value is KeyObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'KeyObject'
  );
}

function checkKeyType(key: KeyObject, algorithm: JwtAlgorithm, at: string): void {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails;
  const ok =
    algorithm === 'RS256'
      ? type === 'rsa' && (details?.modulusLength ?? 0) >= 2048
      : algorithm === 'PS256'
        ? (type === 'rsa' || type === 'rsa-pss') && (details?.modulusLength ?? 0) >= 2048
        : algorithm === 'ES256'
          ? type === 'ec' && details?.namedCurve === 'prime256v1'
          : type === 'ed25519';
  if (!ok) {
    const needs =
      algorithm === 'ES256'
        ? 'an EC P-256 key'
        : algorithm === 'EdDSA'
          ? 'an Ed25519 key'
          : 'an RSA key of at least 2048 bits';
    throw new AuthConfigError(
      `${at} is ${algorithm}, which needs ${needs}; got a key of type '${type ?? 'unknown'}'. Generate a matching pair.`,
    );
  }
}

function sameKey(a: JsonWebKeyLike, b: JsonWebKeyLike): boolean {
  const fields = ['kty', 'crv', 'n', 'e', 'x', 'y'] as const;
  return fields.every((field) => a[field] === b[field]);
}

type JsonWebKeyLike = { [K in 'kty' | 'crv' | 'n' | 'e' | 'x' | 'y']?: string | undefined };
