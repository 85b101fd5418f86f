import { checkOptions, type Duration, type KnownOptions, parseDuration } from '@framework/core';
import { AuthConfigError } from '../errors.ts';
import { parseGrant } from '../rbac/permission.ts';
import type { AuthStore } from '../store/types.ts';

import { type ApiKeyRecord, decode, FOREVER_MS, keepFor, publicRecord, type Stored } from './api-key-record.ts';
import { generateKey, hashSecret, isKeyId, parseKey, secretMatches } from './key-format.ts';

export type { ApiKeyRecord } from './api-key-record.ts';

/**
 * Options of `createApiKeys` (and of `auth({ strategies: { apiKey } })`).
 *
 * @example
 * ```ts
 * const options: ApiKeyOptions = { prefix: 'acme', header: 'x-acme-key' };
 * ```
 */
export interface ApiKeyOptions {
  /** What every key starts with (lowercase letters and digits, 1 to 16), so a leaked key is recognisable. Default `'fw'`. */
  prefix?: string;
  /** The request header a key is read from (besides `Authorization: ApiKey <key>`). Default `'x-api-key'`. */
  header?: string;
}

/**
 * What `apiKeys.create` takes.
 *
 * @example
 * ```ts
 * const input: ApiKeyInput = { userId: '42', name: 'ci', permissions: ['read:reports'], expiresIn: '90d' };
 * ```
 */
export interface ApiKeyInput {
  userId?: string;
  /** A label for people (`'ci'`, `'billing export'`), 1 to 200 characters. */
  name: string;
  permissions: readonly string[];
  /** How long the key works; without it, until revoked. */
  expiresIn?: Duration;
}

/**
 * API keys for machine clients, as `createApiKeys` returns them.
 *
 * @example
 * ```ts
 * const { key } = await apiKeys.create({ userId: '42', name: 'ci', permissions: ['read:reports'] });
 * const record = await apiKeys.verify(key); // the record; undefined once revoked or expired
 * ```
 */
export interface ApiKeyService {
  /** The header a key is read from, lowercase. */
  readonly header: string;
  /** A new key: shown once (`key`), then only its SHA-256 is kept. Throws `AuthConfigError` on bad input. */
  create(input: ApiKeyInput): Promise<{ id: string; key: string; record: ApiKeyRecord }>;
  /** The key's record, or `undefined` when it is malformed, unknown, wrong, revoked or expired. */
  verify(key: string): Promise<ApiKeyRecord | undefined>;
  /** The key a request carries: the configured header, else `Authorization: ApiKey <key>`. */
  fromRequest(headers: { readonly [name: string]: string | readonly string[] | undefined }): string | undefined;
  /** Revokes the key at once; resolves to whether a key with that id exists. */
  revoke(id: string): Promise<boolean>;
  /** The keys of `userId`, or every key, oldest first (revoked and expired ones for 30 days after). */
  list(userId?: string): Promise<ApiKeyRecord[]>;
}

const KNOWN: KnownOptions<ApiKeyOptions> = { prefix: true, header: true };
const KNOWN_INPUT: KnownOptions<ApiKeyInput> = { userId: true, name: true, permissions: true, expiresIn: true };
const PREFIX = /^[a-z0-9]{1,16}$/;
const HEADER = /^[a-z0-9!#$%&'*+.^_`|~-]{1,64}$/;
const AUTHORIZATION = /^ApiKey[ \t]+(\S+)$/i;
const TOUCH_EVERY_MS = 60_000;
const ALL = 'apikeys:all';
const recordKey = (id: string) => `apikey:${id}`;
// lastUsedAt lives in a key of its own: verify never rewrites the record, so a revoke that runs
// while a request is being verified cannot be undone by that request's write.
const usedKey = (id: string) => `apikey-used:${id}`;
const userSet = (userId: string) => `apikeys:user:${userId}`;

function checkInput(input: ApiKeyInput): void {
  if (input === null || typeof input !== 'object') {
    throw new AuthConfigError(
      "apiKeys.create takes { name, permissions, userId?, expiresIn? }, e.g. { name: 'ci', permissions: ['read:reports'] }.",
    );
  }
  checkOptions('apiKeys.create', input, KNOWN_INPUT);
  const { name, userId, permissions } = input;
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200) {
    throw new AuthConfigError(
      `apiKeys.create: name must be a label of 1 to 200 characters, e.g. 'ci'; got ${JSON.stringify(name)}.`,
      'FW_AUTH_INVALID_ARGUMENT',
    );
  }
  if (userId !== undefined && (typeof userId !== 'string' || userId === '')) {
    throw new AuthConfigError(
      `apiKeys.create: userId must be a non-empty string (the user's id); got ${JSON.stringify(userId)}.`,
      'FW_AUTH_INVALID_ARGUMENT',
    );
  }
  if (!Array.isArray(permissions)) {
    throw new AuthConfigError(
      "apiKeys.create: permissions must be a list, e.g. ['read:reports'] ([] for none).",
      'FW_AUTH_INVALID_ARGUMENT',
    );
  }
  for (const permission of permissions) parseGrant(permission, 'apiKeys.create');
}

/**
 * API keys for machine clients: `${prefix}_${id}_${secret}` with a 256-bit secret, of which the
 * store keeps only the SHA-256 (`apikey:<id>`), compared in constant time. A key is refused once
 * revoked or expired; its `lastUsedAt` is written at most once a minute. Store failures reject
 * with `AuthStoreUnavailableError` (503), never with a key let through.
 *
 * @example
 * ```ts
 * const apiKeys = createApiKeys(new MemoryAuthStore());
 * const { id, key } = await apiKeys.create({ userId: '42', name: 'ci', permissions: ['read:reports'], expiresIn: '90d' });
 * // The client sends `x-api-key: ${key}` (or `Authorization: ApiKey ${key}`):
 * const record = await apiKeys.verify(apiKeys.fromRequest(ctx.headers) ?? '');
 * await apiKeys.revoke(id);
 * ```
 */
export function createApiKeys(store: AuthStore, options: ApiKeyOptions = {}): ApiKeyService {
  checkOptions('createApiKeys', options, KNOWN);
  const prefix = options.prefix ?? 'fw';
  const header = (options.header ?? 'x-api-key').toLowerCase();
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new AuthConfigError(
      `createApiKeys: prefix must be 1 to 16 lowercase letters or digits (no '_'), e.g. 'acme'; got ${JSON.stringify(prefix)}.`,
    );
  }
  if (!HEADER.test(header) || header === 'authorization') {
    throw new AuthConfigError(
      `createApiKeys: header must be a header name such as 'x-api-key' (Authorization: ApiKey is always read); got ${JSON.stringify(options.header)}.`,
    );
  }

  const load = async (id: string): Promise<Stored | undefined> => {
    const [raw, used] = await Promise.all([store.get(recordKey(id)), store.get(usedKey(id))]);
    return decode(raw, used);
  };

  return {
    header,
    async create(input) {
      checkInput(input);
      const now = Date.now();
      const expiresIn =
        input.expiresIn === undefined ? undefined : parseDuration(input.expiresIn, 'apiKeys.create expiresIn');
      if (expiresIn !== undefined && expiresIn <= 0) {
        throw new AuthConfigError(
          "apiKeys.create: expiresIn must be longer than 0, e.g. '90d'; leave it out for a key that works until revoked.",
          'FW_AUTH_INVALID_ARGUMENT',
        );
      }
      const { id, secret } = generateKey();
      const record: ApiKeyRecord = {
        id,
        name: input.name,
        ...(input.userId === undefined ? {} : { userId: input.userId }),
        permissions: [...input.permissions],
        createdAt: now,
        ...(expiresIn === undefined ? {} : { expiresAt: now + expiresIn }),
      };
      const stored: Stored = { ...record, hash: hashSecret(secret) };
      await store.set(recordKey(id), JSON.stringify(stored), keepFor(record, now));
      await Promise.all([
        store.addMember(ALL, id, FOREVER_MS),
        input.userId === undefined ? undefined : store.addMember(userSet(input.userId), id, FOREVER_MS),
      ]);
      return { id, key: `${prefix}_${id}_${secret}`, record };
    },

    async verify(key) {
      const parts = parseKey(key, prefix);
      if (parts === undefined) return undefined;
      const stored = await load(parts.id);
      if (stored === undefined || !secretMatches(parts.secret, stored.hash)) return undefined;
      const now = Date.now();
      if (stored.revokedAt !== undefined || (stored.expiresAt !== undefined && stored.expiresAt <= now))
        return undefined;
      const record = publicRecord(stored);
      if (record.lastUsedAt !== undefined && now - record.lastUsedAt < TOUCH_EVERY_MS) return record;
      await store.set(usedKey(record.id), String(now), keepFor(record, now));
      return { ...record, lastUsedAt: now };
    },

    fromRequest(headers) {
      const own = headers[header];
      if (typeof own === 'string') return own.trim() === '' ? undefined : own.trim();
      // Two copies of the header: which key is meant is unclear, so neither is taken.
      if (own !== undefined) return undefined;
      const authorization = headers.authorization;
      if (typeof authorization !== 'string') return undefined;
      return AUTHORIZATION.exec(authorization.trim())?.[1];
    },

    async revoke(id) {
      if (!isKeyId(id)) return false;
      const stored = await load(id);
      if (stored === undefined) return false;
      if (stored.revokedAt !== undefined) return true;
      const now = Date.now();
      const { lastUsedAt: _lastUsedAt, ...rest } = stored;
      const revoked: Stored = { ...rest, revokedAt: now };
      await store.set(recordKey(id), JSON.stringify(revoked), keepFor(revoked, now));
      if (stored.lastUsedAt !== undefined)
        await store.set(usedKey(id), String(stored.lastUsedAt), keepFor(revoked, now));
      return true;
    },

    async list(userId) {
      const set = userId === undefined ? ALL : userSet(userId);
      const ids = await store.members(set);
      const loaded = await Promise.all(
        ids.map(async (id) => ({ id, stored: isKeyId(id) ? await load(id) : undefined })),
      );
      const records: ApiKeyRecord[] = [];
      const gone: string[] = [];
      for (const { id, stored } of loaded) {
        if (stored === undefined) gone.push(id);
        else records.push(publicRecord(stored));
      }
      await Promise.all(gone.map((id) => store.removeMember(set, id)));
      return records.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    },
  };
}
