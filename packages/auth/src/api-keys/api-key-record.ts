/**
 * What the store keeps of a key, and what `verify` and `list` give: never the secret. Times are
 * milliseconds since the epoch.
 *
 * @example
 * ```ts
 * const record: ApiKeyRecord = { id: '9f…', name: 'ci', userId: '42', permissions: ['read:reports'], createdAt: Date.now() };
 * ```
 */
export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  /** The user the key acts for; `undefined` for a key of no user. */
  readonly userId?: string;
  /** What the key may do at most (`'*'`, `action:resource`, `action:*`): it narrows its user's roles. */
  readonly permissions: readonly string[];
  readonly createdAt: number;
  readonly expiresAt?: number;
  /** When a request last used it, to the minute. */
  readonly lastUsedAt?: number;
  readonly revokedAt?: number;
}

const DAY_MS = 86_400_000;
// The store needs a time-to-live; a key without expiry keeps its record for a century.
export const FOREVER_MS = 36_500 * DAY_MS;
// Revoked and expired keys stay listed (and refused) this long, then their records go.
const RETAIN_MS = 30 * DAY_MS;

/** A record as the store holds it: with the SHA-256 of the secret. */
export interface Stored extends ApiKeyRecord {
  readonly hash: string;
}

/** The stored record (and lastUsedAt, kept apart), or `undefined` when missing or not a record. */
export function decode(raw: string | undefined, lastUsed: string | undefined): Stored | undefined {
  if (raw === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const object: object = value;
  const field = (name: string): unknown => Object.getOwnPropertyDescriptor(object, name)?.value;
  const [id, name, userId, permissions, createdAt, expiresAt, revokedAt, hash] = [
    'id',
    'name',
    'userId',
    'permissions',
    'createdAt',
    'expiresAt',
    'revokedAt',
    'hash',
  ].map(field);
  if (typeof id !== 'string' || typeof name !== 'string' || typeof hash !== 'string' || typeof createdAt !== 'number')
    return undefined;
  if (!Array.isArray(permissions) || !permissions.every((p) => typeof p === 'string')) return undefined;
  const used = lastUsed === undefined ? Number.NaN : Number(lastUsed);
  return {
    id,
    name,
    ...(typeof userId === 'string' ? { userId } : {}),
    permissions,
    createdAt,
    ...(typeof expiresAt === 'number' ? { expiresAt } : {}),
    ...(Number.isFinite(used) ? { lastUsedAt: used } : {}),
    ...(typeof revokedAt === 'number' ? { revokedAt } : {}),
    hash,
  };
}

/** The record without its hash: what callers see. */
export function publicRecord({ hash: _hash, ...record }: Stored): ApiKeyRecord {
  return record;
}

/** How long the store keeps a record from now: until 30 days after it stopped working. */
export function keepFor(record: ApiKeyRecord, now: number): number {
  if (record.revokedAt !== undefined) return Math.max(1, record.revokedAt + RETAIN_MS - now);
  if (record.expiresAt !== undefined) return Math.max(1, record.expiresAt + RETAIN_MS - now);
  return FOREVER_MS;
}
