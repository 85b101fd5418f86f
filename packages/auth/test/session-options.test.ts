import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthConfigError } from '../src/errors.ts';
import type { SessionOptions } from '../src/session/options.ts';
import { newSessionId, signSessionId, verifySessionCookie } from '../src/session/session-id.ts';
import { createSessionService } from '../src/session/session-service.ts';
import { MemoryAuthStore } from '../src/store/memory.ts';
import { makeApp, me, SECRET, sessionApp } from './helpers.ts';

afterEach(() => {
  vi.unstubAllEnvs();
});

/** What creating a session service with `options` throws (an AuthConfigError, or it fails the test). */
function refusal(options: SessionOptions): AuthConfigError {
  try {
    createSessionService(options, new MemoryAuthStore());
  } catch (error) {
    expect(error).toBeInstanceOf(AuthConfigError);
    expect(error).toMatchObject({ code: 'FW_AUTH_CONFIG' });
    return error as AuthConfigError;
  }
  throw new Error(`createSessionService(${JSON.stringify(options)}) did not throw`);
}

describe('session options are checked when the service is created', () => {
  it('an unknown key fails, naming it, the closest known key and where it was passed', () => {
    // @ts-expect-error: misspelled on purpose, as plain JavaScript or a JSON config could.
    const error = refusal({ secret: SECRET, maxage: '1h' });
    expect(error.message).toMatch(
      /auth\(\{ strategies: \{ session \} \}\) has no option "maxage"\. Did you mean "maxAge"\?/,
    );
    // @ts-expect-error: an unknown cookie attribute.
    expect(refusal({ secret: SECRET, cookie: { domain: 'example.com' } }).message).toMatch(
      /cookie option .* has no option "domain"/,
    );
  });

  it('httpOnly: false and sameSite: none are refused, saying what to do instead', () => {
    expect(refusal({ secret: SECRET, cookie: { httpOnly: false } }).message).toMatch(/httpOnly cannot be false.*\/me/);
    // @ts-expect-error: 'none' is not in the type.
    expect(refusal({ secret: SECRET, cookie: { sameSite: 'none' } }).message).toMatch(
      /'lax' \(default\) or 'strict'.*jwt/,
    );
  });

  it('a __Host- name with secure: false, or a name that is not a token, is refused', () => {
    expect(refusal({ secret: SECRET, cookie: { name: '__Host-s', secure: false } }).message).toMatch(
      /accept only with Secure/,
    );
    expect(refusal({ secret: SECRET, cookie: { name: 'a;b' } }).message).toMatch(/cookie\.name must be a cookie name/);
  });

  it('durations: not a duration, under one second, or idle longer than absolute, is refused naming the option', () => {
    // @ts-expect-error: not a duration.
    expect(refusal({ secret: SECRET, maxAge: 'soon' }).message).toMatch(/maxAge must be a duration/);
    expect(refusal({ secret: SECRET, maxAge: '10ms' }).message).toMatch(/maxAge must be at least one second/);
    expect(refusal({ secret: SECRET, maxAge: '2d', absoluteMaxAge: '1d' }).message).toMatch(
      /maxAge .* is longer than absoluteMaxAge/,
    );
  });

  it('a secret under 32 characters is refused, saying how to make one', () => {
    expect(refusal({ secret: 'short' }).message).toMatch(/5 characters.*at least 32.*randomBytes/);
    expect(refusal({ secret: [SECRET, 'short'] }).message).toMatch(/key \(#2\)/);
    expect(refusal({ secret: [] }).message).toMatch(/empty list/);
    vi.stubEnv('SESSION_SECRET', 'tiny');
    expect(refusal({}).message).toMatch(/SESSION_SECRET environment variable has a key of 4 characters/);
  });

  it('in production without a secret nor SESSION_SECRET it refuses to start: set SESSION_SECRET', () => {
    vi.stubEnv('NODE_ENV', 'production');
    vi.stubEnv('SESSION_SECRET', '');
    expect(refusal({}).message).toMatch(/set SESSION_SECRET/);
  });

  it('elsewhere without a secret: a per-process key, and one warning line that sessions will not survive a restart', async () => {
    vi.stubEnv('NODE_ENV', 'development');
    vi.stubEnv('SESSION_SECRET', '');
    const sessions = createSessionService({}, new MemoryAuthStore());
    expect(sessions.warnings).toHaveLength(1);
    expect(sessions.warnings[0]).toMatch(/will not survive a restart/);
    expect(createSessionService({ secret: SECRET }, new MemoryAuthStore()).warnings).toEqual([]);
  });

  it('SESSION_SECRET is used when no secret is passed; a comma-separated list rotates (first signs, all verify)', async () => {
    const NEW = 'new-session-secret-0123456789abcdefgh';
    const { app, store } = makeApp('memory', { csrf: false });
    vi.stubEnv('SESSION_SECRET', SECRET);
    const before = createSessionService({}, store);
    vi.stubEnv('SESSION_SECRET', `${NEW}, ${SECRET}`);
    const rotating = createSessionService({}, store);
    // The same list passed by the app (read from its own config) rotates the same way.
    const passed = createSessionService({ secret: `${NEW},${SECRET}` }, store);
    vi.stubEnv('SESSION_SECRET', NEW);
    const after = createSessionService({}, store);
    app.post('/login', async (ctx) => ({ id: (await before.create(ctx, { id: '1', roles: [] })).id }));
    app.post('/login-rotating', async (ctx) => ({ id: (await rotating.create(ctx, { id: '1', roles: [] })).id }));
    app.get('/ids', (ctx) => ({
      before: before.idOf(ctx) ?? null,
      rotating: rotating.idOf(ctx) ?? null,
      after: after.idOf(ctx) ?? null,
    }));
    app.get('/passed', (ctx) => ({ passed: passed.idOf(ctx) ?? null }));
    const old = await app.request('/login', { method: 'POST' });
    const { id } = (await old.json()) as { id: string };
    const oldCookie = old.headers.getSetCookie()[0]!.split(';')[0]!;
    expect(await (await me(app, oldCookie, '/ids')).json()).toEqual({ before: id, rotating: id, after: null });
    expect(await (await me(app, oldCookie, '/passed')).json()).toEqual({ passed: id });
    const fresh = await app.request('/login-rotating', { method: 'POST' });
    const { id: freshId } = (await fresh.json()) as { id: string };
    const freshCookie = fresh.headers.getSetCookie()[0]!.split(';')[0]!;
    expect(await (await me(app, freshCookie, '/ids')).json()).toEqual({
      before: null,
      rotating: freshId,
      after: freshId,
    });
  });

  it('a custom cookie name is used as given', async () => {
    const { app } = sessionApp('memory', { cookie: { name: 'app_session' } });
    const response = await app.request('/login/1', { method: 'POST' });
    expect(response.headers.getSetCookie()[0]).toMatch(/^app_session=/);
  });
});

describe('session ids and their signature', () => {
  it('1000 ids: unique, 43 base64url characters, 32 bytes (256 bits) each', () => {
    const ids = Array.from({ length: 1_000 }, newSessionId);
    expect(new Set(ids).size).toBe(1_000);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(32);
    }
  });

  it('a signature verifies with any listed key and with no other; stray characters do not pass', () => {
    const id = newSessionId();
    const other = 'another-session-secret-0123456789abcd';
    const value = signSessionId(id, [SECRET]);
    expect(verifySessionCookie(value, [SECRET])).toBe(id);
    expect(verifySessionCookie(value, [other, SECRET])).toBe(id);
    expect(verifySessionCookie(value, [other])).toBeUndefined();
    expect(verifySessionCookie(`${value.slice(0, -1)}=`, [SECRET])).toBeUndefined();
    expect(verifySessionCookie(undefined, [SECRET])).toBeUndefined();
    expect(verifySessionCookie(id, [SECRET])).toBeUndefined();
  });
});
