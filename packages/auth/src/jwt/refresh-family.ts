import { createHash, randomBytes } from 'node:crypto';
import type { AuthStore } from '../store/types.ts';
import { jwtKeys } from './store-keys.ts';

/**
 * What the store keeps about a refresh token: its family (the sign-in) and its user.
 *
 * @example
 * ```ts
 * const record: RefreshRecord = { familyId: newFamilyId(), userId: '42' };
 * ```
 */
export interface RefreshRecord {
  readonly familyId: string;
  readonly userId: string;
}

/**
 * The outcome of presenting a refresh token.
 *
 * @example
 * ```ts
 * const use: RefreshUse = await families.take(token);
 * if (use.state === 'reused') await revokeFamily(use.record);
 * ```
 */
export type RefreshUse =
  | { readonly state: 'live'; readonly record: RefreshRecord }
  | { readonly state: 'reused'; readonly record: RefreshRecord }
  | { readonly state: 'unknown' };

/** 256 random bits in base64url: 43 characters, nothing else (a JWT is never one). */
const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Refresh tokens and their families in the auth store. A token is 256 random bits, opaque (not a
 * JWT), and stored only as its SHA-256 hash. Each token is written twice: a live entry, taken
 * (read and deleted in one step) when it is used, so two concurrent uses cannot both succeed; and a
 * "seen" entry that stays, so that a second use is recognised as reuse rather than as garbage.
 *
 * @example
 * ```ts
 * const families = new RefreshFamilies(store, 7 * 86_400_000);
 * const token = await families.add({ familyId: newFamilyId(), userId: '42' });
 * const use = await families.take(token); // { state: 'live', ... }; a second take: { state: 'reused', ... }
 * ```
 */
export class RefreshFamilies {
  private readonly store: AuthStore;
  private readonly ttlMs: number;

  constructor(store: AuthStore, ttlMs: number) {
    this.store = store;
    this.ttlMs = ttlMs;
  }

  /** Issues a refresh token in the record's family. */
  async add(record: RefreshRecord): Promise<{ token: string; hash: string }> {
    const token = randomBytes(32).toString('base64url');
    const hash = hashToken(token);
    const value = JSON.stringify(record);
    // The sets first: a family revocation that reads them after this point deletes the token too.
    await this.store.addMember(jwtKeys.family(record.familyId), hash, this.ttlMs);
    await this.store.addMember(jwtKeys.userFamilies(record.userId), record.familyId, this.ttlMs);
    await this.store.set(jwtKeys.refreshSeen(hash), value, this.ttlMs);
    await this.store.set(jwtKeys.refresh(hash), value, this.ttlMs);
    return { token, hash };
  }

  /** Uses a refresh token: live (now consumed), reused (consumed before), or unknown. */
  async take(token: string): Promise<RefreshUse> {
    if (typeof token !== 'string' || !REFRESH_TOKEN.test(token)) return { state: 'unknown' };
    const hash = hashToken(token);
    const live = parseRecord(await this.store.take(jwtKeys.refresh(hash)));
    if (live !== undefined) return { state: 'live', record: live };
    const seen = parseRecord(await this.store.get(jwtKeys.refreshSeen(hash)));
    return seen === undefined ? { state: 'unknown' } : { state: 'reused', record: seen };
  }

  /** The record of a token, used or not, without consuming it; `undefined` when unknown. */
  async find(token: string): Promise<RefreshRecord | undefined> {
    if (typeof token !== 'string' || !REFRESH_TOKEN.test(token)) return undefined;
    return parseRecord(await this.store.get(jwtKeys.refreshSeen(hashToken(token))));
  }

  /** Deletes one token issued by `add` (by its hash). */
  async discard(hash: string): Promise<void> {
    await this.store.delete(jwtKeys.refresh(hash), jwtKeys.refreshSeen(hash));
  }

  /** Deletes every refresh token of the family, used or not. */
  async revoke(record: RefreshRecord): Promise<void> {
    const familyKey = jwtKeys.family(record.familyId);
    const hashes = await this.store.members(familyKey);
    await this.store.delete(familyKey, ...hashes.flatMap((hash) => [jwtKeys.refresh(hash), jwtKeys.refreshSeen(hash)]));
    await this.store.removeMember(jwtKeys.userFamilies(record.userId), record.familyId);
  }

  /** The families (sign-ins) of a user that may still hold live refresh tokens. */
  async familiesOf(userId: string): Promise<string[]> {
    return this.store.members(jwtKeys.userFamilies(userId));
  }

  /** Forgets the user's list of families, once each was revoked. */
  async forgetUser(userId: string): Promise<void> {
    await this.store.delete(jwtKeys.userFamilies(userId));
  }
}

/**
 * A new family id: one per sign-in, kept by every token rotated from it.
 *
 * @example
 * ```ts
 * const familyId = newFamilyId();
 * ```
 */
export function newFamilyId(): string {
  return randomBytes(16).toString('base64url');
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function parseRecord(value: string | undefined): RefreshRecord | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { familyId, userId } = parsed as Partial<Record<keyof RefreshRecord, unknown>>;
    return typeof familyId === 'string' && typeof userId === 'string' ? { familyId, userId } : undefined;
  } catch {
    return undefined;
  }
}
