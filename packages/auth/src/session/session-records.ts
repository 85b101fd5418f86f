import { randomBytes } from 'node:crypto';
import type { AuthStore } from '../store/types.ts';
import type { AuthUser } from '../types.ts';
import { parseSessionRecord, parseUserMarker, type SessionRecord } from './session-record.ts';

/** How long an ended session's tombstone is kept: longer than any write that read the session before it ended. */
const TOMBSTONE_MAX_MS = 10 * 60_000;
/** A user's session set is checked for ended sessions when it has grown past this many ids. */
const PRUNE_AT = 50;

const sessionKey = (id: string) => `session:${id}`;
const endedKey = (id: string) => `session-ended:${id}`;
const userSetKey = (userId: string) => `user-sessions:${userId}`;
const markerKey = (userId: string) => `session-user:${userId}`;

/**
 * The session records in an `AuthStore`: `session:<id>` (JSON), `user-sessions:<userId>` (the
 * user's session ids, for "log out everywhere"), and two guards against lost updates, since the
 * store has no compare-and-set:
 *
 * - an ended session leaves a tombstone (`session-ended:<id>`) written before its record is
 *   deleted; every write-back checks it after writing and deletes what it wrote, so a request that
 *   read the session just before a logout cannot bring it back;
 * - `updateUser()` first writes the new user fields with a version (`session-user:<userId>`); a
 *   write-back carrying another version re-applies them, so a roll of `lastSeen` that read the
 *   session just before cannot restore a removed role.
 *
 * @example
 * ```ts
 * const records = new SessionRecords(store, { idleMs: 7_200_000, absoluteMs: 604_800_000 });
 * const record = await records.read(id);
 * ```
 */
export class SessionRecords {
  readonly store: AuthStore;
  private readonly idleMs: number;
  private readonly absoluteMs: number;

  constructor(store: AuthStore, timeouts: { idleMs: number; absoluteMs: number }) {
    this.store = store;
    this.idleMs = timeouts.idleMs;
    this.absoluteMs = timeouts.absoluteMs;
  }

  /** When the record ends if unused: the earlier of its idle and absolute timeouts. */
  expiresAt(record: SessionRecord): number {
    return Math.min(record.lastSeen + this.idleMs, record.createdAt + this.absoluteMs);
  }

  async read(id: string): Promise<SessionRecord | undefined> {
    return parseSessionRecord(await this.store.get(sessionKey(id)));
  }

  /** The version of the user's last `updateUser()`, for a new session's record. */
  async userVersion(userId: string): Promise<string | undefined> {
    return parseUserMarker(await this.store.get(markerKey(userId)))?.version;
  }

  /**
   * Registers a new session under its user; done before its record is written, so "log out
   * everywhere" finds every session that exists. A large set is pruned of ended sessions.
   */
  async register(id: string, userId: string): Promise<void> {
    await this.store.addMember(userSetKey(userId), id, this.absoluteMs);
    const ids = await this.store.members(userSetKey(userId));
    if (ids.length <= PRUNE_AT) return;
    await Promise.all(
      ids.map(async (other) => {
        if (other !== id && (await this.store.get(sessionKey(other))) === undefined) {
          await this.store.removeMember(userSetKey(userId), other);
        }
      }),
    );
  }

  /**
   * Writes the record back (see the class comment); resolves `false` when the session ended
   * meanwhile (or has expired), in which case nothing stays written.
   */
  async write(id: string, record: SessionRecord): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const ttl = this.expiresAt(record) - Date.now();
      if (ttl <= 0) return false;
      await this.store.set(sessionKey(id), JSON.stringify(record), ttl);
      const [ended, marker] = await Promise.all([
        this.store.get(endedKey(id)),
        this.store.get(markerKey(record.user.id)),
      ]);
      if (ended !== undefined) {
        await this.store.delete(sessionKey(id));
        return false;
      }
      const latest = parseUserMarker(marker);
      if (latest === undefined || latest.version === record.userVersion) return true;
      record.user = latest.user;
      record.userVersion = latest.version;
    }
    return true;
  }

  /**
   * Ends a session: tombstone, then the record taken (so of two concurrent ends one gets it), and
   * its id dropped from its user's set. Resolves the record it ended, or `undefined`.
   */
  async end(id: string, userId?: string): Promise<SessionRecord | undefined> {
    await this.store.set(endedKey(id), '1', Math.min(this.idleMs, TOMBSTONE_MAX_MS));
    const record = parseSessionRecord(await this.store.take(sessionKey(id)));
    const owner = record?.user.id ?? userId;
    if (owner !== undefined) await this.store.removeMember(userSetKey(owner), id);
    if (userId !== undefined && owner !== userId) await this.store.removeMember(userSetKey(userId), id);
    return record;
  }

  /** Deletes an expired record (no tombstone: every writer checks the expiry itself). */
  async expire(id: string, userId: string): Promise<void> {
    await this.store.delete(sessionKey(id));
    await this.store.removeMember(userSetKey(userId), id);
  }

  /** Ends every session of the user but `exceptId`; resolves how many were alive. */
  async endUser(userId: string, exceptId?: string): Promise<number> {
    const ids = await this.store.members(userSetKey(userId));
    const ended = await Promise.all(
      ids.filter((id) => id !== exceptId).map((id) => this.end(id, userId).then((record) => record !== undefined)),
    );
    return ended.filter(Boolean).length;
  }

  /** Gives every session of the user the new fields; effective at each session's next load. */
  async updateUser(user: AuthUser): Promise<void> {
    const version = randomBytes(12).toString('base64url');
    await this.store.set(markerKey(user.id), JSON.stringify({ version, user }), this.absoluteMs);
    const ids = await this.store.members(userSetKey(user.id));
    await Promise.all(
      ids.map(async (id) => {
        const record = await this.read(id);
        if (record === undefined) {
          await this.store.removeMember(userSetKey(user.id), id);
          return;
        }
        record.user = { ...user };
        record.userVersion = version;
        await this.write(id, record);
      }),
    );
  }
}
