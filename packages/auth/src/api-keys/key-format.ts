import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const ID_BYTES = 16;
const SECRET_BYTES = 32;
const ID = /^[0-9a-f]{32}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/** A key's parts: the id (public, the store's lookup) and the secret (only its hash is stored). */
export interface KeyParts {
  readonly id: string;
  readonly secret: string;
}

/** A new id (128 bits, hex) and secret (256 bits, base64url) from the CSPRNG. */
export function generateKey(): KeyParts {
  return { id: randomBytes(ID_BYTES).toString('hex'), secret: randomBytes(SECRET_BYTES).toString('base64url') };
}

/** Whether `id` has the shape of a key id, so a made-up one never reaches the store as an odd key. */
export function isKeyId(id: unknown): id is string {
  return typeof id === 'string' && ID.test(id);
}

/**
 * The parts of `${prefix}_${id}_${secret}`, or `undefined` for anything else. The length is checked
 * before any pattern runs, so an oversized header costs nothing.
 */
export function parseKey(key: unknown, prefix: string): KeyParts | undefined {
  const length = prefix.length + 1 + ID_BYTES * 2 + 1 + 43;
  if (typeof key !== 'string' || key.length !== length || !key.startsWith(`${prefix}_`)) return undefined;
  const rest = key.slice(prefix.length + 1);
  const id = rest.slice(0, ID_BYTES * 2);
  const secret = rest.slice(ID_BYTES * 2 + 1);
  if (rest[ID_BYTES * 2] !== '_' || !ID.test(id) || !SECRET.test(secret)) return undefined;
  return { id, secret };
}

/** What the store keeps instead of the secret: SHA-256, base64url. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** Compares a presented secret with a stored hash in constant time (for equal-length hashes). */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = createHash('sha256').update(secret).digest();
  const stored = Buffer.from(storedHash, 'base64url');
  // Both are SHA-256 digests, so only a corrupt record has another length; the compare still runs.
  return (
    timingSafeEqual(presented, stored.length === presented.length ? stored : Buffer.alloc(presented.length)) &&
    stored.length === presented.length
  );
}
