import { createHmac, createSecretKey, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes in base64url, without padding. */
const ID = /^[A-Za-z0-9_-]{43}$/;
/** What the signature covers besides the id, so a MAC made for another purpose with the same key never verifies here. */
const LABEL = 'framework-auth-session-v1\0';

/**
 * A new session id: 256 bits from the operating system's CSPRNG, base64url (43 characters).
 *
 * @example
 * ```ts
 * newSessionId(); // 'kX3r...' (43 characters)
 * ```
 */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** Each key as a KeyObject, made once: createHmac with a string key costs about 15 µs, with a KeyObject 3 µs. */
const keyObjects = new Map<string, KeyObject>();

function mac(key: string, id: string): Buffer {
  let secret = keyObjects.get(key);
  if (secret === undefined) {
    secret = createSecretKey(Buffer.from(key, 'utf8'));
    // Keys are the app's few configured secrets; the bound only guards against misuse.
    if (keyObjects.size < 64) keyObjects.set(key, secret);
  }
  return createHmac('sha256', secret).update(LABEL).update(id).digest();
}

/**
 * The cookie value for a session id: `<id>.<HMAC-SHA256(key, id)>`, signed with the first key.
 *
 * @example
 * ```ts
 * signSessionId(newSessionId(), [process.env.SESSION_SECRET!]);
 * ```
 */
export function signSessionId(id: string, keys: readonly string[]): string {
  return `${id}.${mac(keys[0]!, id).toString('base64url')}`;
}

/**
 * The session id in a cookie value when its signature verifies with one of `keys`, else
 * `undefined` (tampered, unsigned, signed with a key no longer listed, or not an id at all).
 *
 * @example
 * ```ts
 * verifySessionCookie(ctx.cookies.get('sid'), keys); // the id, or undefined
 * ```
 */
export function verifySessionCookie(value: string | undefined, keys: readonly string[]): string | undefined {
  if (value === undefined || value.length !== 87 || value[43] !== '.') return undefined;
  const id = value.slice(0, 43);
  if (!ID.test(id)) return undefined;
  const given = Buffer.from(value.slice(44), 'base64url');
  // base64url decoding ignores stray characters: the signature must round-trip to count.
  if (given.length !== 32 || given.toString('base64url') !== value.slice(44)) return undefined;
  let valid = false;
  // Every key is tried, so the time taken does not say which key (if any) matched.
  for (const key of keys) if (timingSafeEqual(mac(key, id), given)) valid = true;
  return valid ? id : undefined;
}
