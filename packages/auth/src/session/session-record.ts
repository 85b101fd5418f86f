import type { AuthUser } from '../types.ts';

/**
 * What the store keeps of a session, as JSON under `session:<id>`: the user's fields (what
 * `ctx.user` is), the app's data, and the two times the timeouts count from (milliseconds since
 * the epoch). `userVersion` is the version of the last `updateUser()` the record carries.
 *
 * @example
 * ```ts
 * const record: SessionRecord = { user: { id: '1', roles: [] }, data: {}, createdAt: Date.now(), lastSeen: Date.now() };
 * ```
 */
export interface SessionRecord {
  user: AuthUser & Record<string, unknown>;
  data: Record<string, unknown>;
  createdAt: number;
  lastSeen: number;
  userVersion?: string;
}

/**
 * The latest user fields `updateUser()` wrote, under `session-user:<userId>`, so that a session
 * written back concurrently with an older copy of the user is corrected (see `SessionRecords.write`).
 *
 * @example
 * ```ts
 * const marker: UserMarker = { version: 'a1b2', user: { id: '1', roles: ['viewer'] } };
 * ```
 */
export interface UserMarker {
  version: string;
  user: AuthUser & Record<string, unknown>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether `value` is a user a session can carry: an object with a non-empty string `id` and
 * `roles` as an array of strings.
 *
 * @example
 * ```ts
 * isSessionUser({ id: '1', roles: ['admin'] }); // true
 * ```
 */
export function isSessionUser(value: unknown): value is AuthUser & Record<string, unknown> {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    value.id !== '' &&
    Array.isArray(value.roles) &&
    value.roles.every((role) => typeof role === 'string')
  );
}

function parse(raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/**
 * A stored record, or `undefined` when it is missing or not a record (a value written by
 * something else is never taken for a session).
 *
 * @example
 * ```ts
 * const record = parseSessionRecord(await store.get(`session:${id}`));
 * ```
 */
export function parseSessionRecord(raw: string | undefined): SessionRecord | undefined {
  const value = parse(raw);
  if (!isObject(value) || !isSessionUser(value.user) || !isObject(value.data)) return undefined;
  const { createdAt, lastSeen, userVersion } = value;
  if (typeof createdAt !== 'number' || typeof lastSeen !== 'number') return undefined;
  return {
    user: value.user,
    data: value.data,
    createdAt,
    lastSeen,
    ...(typeof userVersion === 'string' ? { userVersion } : {}),
  };
}

/**
 * A stored user marker, or `undefined`.
 *
 * @example
 * ```ts
 * const marker = parseUserMarker(await store.get(`session-user:${userId}`));
 * ```
 */
export function parseUserMarker(raw: string | undefined): UserMarker | undefined {
  const value = parse(raw);
  if (!isObject(value) || typeof value.version !== 'string' || !isSessionUser(value.user)) return undefined;
  return { version: value.version, user: value.user };
}
