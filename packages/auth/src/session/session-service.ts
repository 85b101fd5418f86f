import { AuthConfigError, AuthenticationError } from '../errors.ts';
import type { AuthStore } from '../store/types.ts';
import type { AuthUser } from '../types.ts';
import { resolveSessionConfig, type SessionOptions } from './options.ts';
import { type SessionContext, SessionCookie } from './session-cookie.ts';
import { newSessionId } from './session-id.ts';
import { isSessionUser, type SessionRecord } from './session-record.ts';
import { SessionRecords } from './session-records.ts';

/** `lastSeen` is written at most this often (fewer Redis writes), or a quarter of a short idle timeout. */
const TOUCH_EVERY_MS = 60_000;

/**
 * A logged-in session: the user it carries (what `ctx.user` is), the app's data, and its times in
 * milliseconds since the epoch. Change `data`, then `save()` it; change the user with
 * `updateUser()` (every session of that user) or `regenerate()` (this one, with a new id).
 *
 * @example
 * ```ts
 * const session = await sessions.load(ctx);
 * if (session) session.data.cart = ['sku-1'];
 * ```
 */
export interface Session {
  readonly id: string;
  user: AuthUser & Record<string, unknown>;
  data: Record<string, unknown>;
  readonly createdAt: number;
  /** When the session ends if unused from now: the earlier of the idle and the absolute timeout. */
  readonly expiresAt: number;
}

/**
 * Server-side sessions behind a signed cookie. How it fails: a store that does not answer rejects
 * with `AuthStoreUnavailableError` (503 with `Retry-After`) from every method, `load()` included:
 * a store failure is never read as "no session" (which would log users out, or let a logout be
 * skipped); a missing, tampered or expired session is `undefined`.
 *
 * @example
 * ```ts
 * const sessions = createSessionService({ maxAge: '30m' }, new MemoryAuthStore());
 * app.post('/login', async (ctx) => ({ id: (await sessions.create(ctx, { id: '1', roles: [] })).user.id }));
 * app.get('/me', async (ctx) => (await sessions.load(ctx))?.user ?? ctx.json({ error: 'sign in' }, 401));
 * app.post('/logout', async (ctx) => { await sessions.destroy(ctx); return { ok: true }; });
 * ```
 */
export interface SessionService {
  /** Lines to log at start-up: without `SESSION_SECRET`, that sessions will not survive a restart. */
  readonly warnings: readonly string[];
  /** The session cookie's name for this request (`__Host-sid` on HTTPS, `sid` on HTTP, by default). */
  cookieName(ctx: SessionContext): string;
  /**
   * The session id of the request's cookie when its signature verifies (no store read), e.g. to bind
   * CSRF tokens to the session; after `create`/`regenerate`/`destroy` in this request, the new id
   * or `undefined`. A tampered, unsigned or removed-key cookie gives `undefined`.
   */
  idOf(ctx: SessionContext): string | undefined;
  /**
   * The request's session, or `undefined` (no cookie, a bad signature, ended or expired). Pushes the
   * idle timeout back (writing at most once a minute) and then sends the cookie again. Only the
   * cookie is read: a session id in the URL is ignored.
   */
  load(ctx: SessionContext): Promise<Session | undefined>;
  /** Logs `user` in: always a new session id (the cookie's previous session ends: no fixation), and its cookie. */
  create<U extends AuthUser>(ctx: SessionContext, user: U): Promise<Session>;
  /**
   * The same session (user, data, login time) under a new id, the old one ended: call it on a
   * privilege change. Rejects with `AuthenticationError` (401) when the session ended meanwhile.
   */
  regenerate(ctx: SessionContext, session: Session): Promise<Session>;
  /** Stores `session.data` (not `user`: see `updateUser`). A session ended meanwhile stays ended. */
  save(session: Session): Promise<void>;
  /** Logs out: the session's record is deleted and the cookie cleared; replaying the cookie finds nothing. */
  destroy(ctx: SessionContext): Promise<void>;
  /** Ends every session of the user but `exceptId` ("log out other devices"); resolves how many ended. */
  destroyUser(userId: string, exceptId?: string): Promise<number>;
  /** Every session of `user.id` carries these user fields from its next request on (roles removed, a name changed). */
  updateUser<U extends AuthUser>(user: U): Promise<void>;
}

function checkUser(user: unknown, call: string): asserts user is AuthUser & Record<string, unknown> {
  if (!isSessionUser(user)) {
    throw new AuthConfigError(
      `${call} needs a user with id as a non-empty string and roles as an array of strings, such as ` +
        `{ id: String(row.id), roles: ['editor'] }; got ${user === null ? 'null' : typeof user}` +
        `${isObjectWithKeys(user) ? ` with keys ${Object.keys(user).join(', ')}` : ''}.`,
      'FW_AUTH_INVALID_ARGUMENT',
    );
  }
}

function isObjectWithKeys(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/**
 * Creates the session service on `store`. Options are checked here: an unknown key, a weak secret,
 * `httpOnly: false` or `sameSite: 'none'` throw `AuthConfigError` naming the option; in production
 * a missing `SESSION_SECRET` does too.
 *
 * @example
 * ```ts
 * import { MemoryAuthStore } from '@framework/auth';
 *
 * const sessions = createSessionService({ secret: process.env.SESSION_SECRET, maxAge: '2h' }, new MemoryAuthStore());
 * for (const line of sessions.warnings) app.logger.warn(line);
 * ```
 */
export function createSessionService(
  options: SessionOptions,
  store: AuthStore,
  where = 'auth({ strategies: { session } })',
): SessionService {
  const config = resolveSessionConfig(options, where);
  const cookie = new SessionCookie(config);
  const records = new SessionRecords(store, config);
  const touchEvery = Math.min(TOUCH_EVERY_MS, Math.floor(config.idleMs / 4));
  // The session a request created or ended, so `idOf` agrees with the cookie the response sets.
  const changed = new WeakMap<SessionContext, string | null>();

  const toSession = (id: string, record: SessionRecord): Session => ({
    id,
    user: record.user,
    data: record.data,
    createdAt: record.createdAt,
    expiresAt: records.expiresAt(record),
  });

  const remainingSeconds = (record: SessionRecord) => (record.createdAt + config.absoluteMs - Date.now()) / 1000;

  const idOf = (ctx: SessionContext): string | undefined => {
    const id = changed.get(ctx);
    if (id !== undefined) return id ?? undefined;
    return cookie.read(ctx);
  };

  /** Writes a new session (registered under its user first) and sends its cookie. */
  const open = async (ctx: SessionContext, id: string, record: SessionRecord): Promise<Session> => {
    await records.register(id, record.user.id);
    if (!(await records.write(id, record))) {
      throw new AuthenticationError('The session ended while it was being created; sign in again.', 'Session');
    }
    changed.set(ctx, id);
    cookie.write(ctx, id, remainingSeconds(record));
    return toSession(id, record);
  };

  return {
    warnings: config.warnings,
    cookieName: (ctx) => cookie.name(ctx),
    idOf,

    async load(ctx) {
      const id = idOf(ctx);
      if (id === undefined) return undefined;
      const record = await records.read(id);
      if (record === undefined) return undefined;
      const now = Date.now();
      if (now - record.lastSeen >= config.idleMs || now - record.createdAt >= config.absoluteMs) {
        await records.expire(id, record.user.id);
        return undefined;
      }
      if (now - record.lastSeen >= touchEvery) {
        record.lastSeen = now;
        if (!(await records.write(id, record))) return undefined;
        cookie.write(ctx, id, remainingSeconds(record));
      }
      return toSession(id, record);
    },

    async create(ctx, user) {
      checkUser(user, 'sessions.create(ctx, user)');
      const previous = idOf(ctx);
      if (previous !== undefined) await records.end(previous);
      const now = Date.now();
      const userVersion = await records.userVersion(user.id);
      const record: SessionRecord = { user: { ...user }, data: {}, createdAt: now, lastSeen: now };
      if (userVersion !== undefined) record.userVersion = userVersion;
      return open(ctx, newSessionId(), record);
    },

    async regenerate(ctx, session) {
      checkUser(session.user, 'sessions.regenerate(ctx, session)');
      const ended = await records.end(session.id);
      if (ended === undefined) {
        changed.set(ctx, null);
        throw new AuthenticationError('This session has ended (logged out or expired); sign in again.', 'Session');
      }
      const record: SessionRecord = {
        user: { ...session.user },
        data: session.data,
        // The absolute timeout still counts from the login: regenerating does not extend it.
        createdAt: ended.createdAt,
        lastSeen: Date.now(),
      };
      if (ended.userVersion !== undefined) record.userVersion = ended.userVersion;
      return open(ctx, newSessionId(), record);
    },

    async save(session) {
      const record = await records.read(session.id);
      if (record === undefined) return;
      // The stored user is kept: a role removed by updateUser() is not restored from this copy.
      record.data = session.data;
      record.lastSeen = Date.now();
      await records.write(session.id, record);
    },

    async destroy(ctx) {
      const id = idOf(ctx);
      if (id !== undefined) await records.end(id);
      changed.set(ctx, null);
      cookie.clear(ctx);
    },

    async destroyUser(userId, exceptId) {
      if (typeof userId !== 'string' || userId === '') {
        throw new AuthConfigError(
          `sessions.destroyUser(userId) needs the user's id as a non-empty string; got ${JSON.stringify(userId)}.`,
          'FW_AUTH_INVALID_ARGUMENT',
        );
      }
      return records.endUser(userId, exceptId);
    },

    async updateUser(user) {
      checkUser(user, 'sessions.updateUser(user)');
      await records.updateUser(user);
    },
  };
}
