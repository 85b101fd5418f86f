import { type KeyObject, webcrypto } from 'node:crypto';
import type { JwtAlgorithm } from './options.ts';

const HMAC_HASH: Partial<Record<JwtAlgorithm, string>> = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' };
const imported = new WeakMap<Uint8Array, Promise<webcrypto.CryptoKey>>();

/**
 * The key jose is given: an HMAC secret imported once as a WebCrypto key, other keys as they are.
 * Given raw bytes, jose imports them on every sign and verify; once imported, a verify costs about
 * 32 µs of CPU instead of 56 (apps/bench/RESULTS-auth.md).
 *
 * @example
 * ```ts
 * await jwtVerify(token, await joseKey(key.verifyKey, key.algorithm), { algorithms: [key.algorithm] });
 * ```
 */
export function joseKey(
  key: Uint8Array | KeyObject,
  algorithm: JwtAlgorithm,
): Promise<webcrypto.CryptoKey> | Uint8Array | KeyObject {
  const hash = HMAC_HASH[algorithm];
  if (!(key instanceof Uint8Array) || hash === undefined) return key;
  let promise = imported.get(key);
  if (promise === undefined) {
    promise = webcrypto.subtle.importKey('raw', key, { name: 'HMAC', hash }, false, ['sign', 'verify']);
    imported.set(key, promise);
  }
  return promise;
}
