import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthStoreUnavailableError } from '../src/errors.ts';
import { createTokenService, type TokenService } from '../src/jwt/token-service.ts';
import { MemoryAuthStore } from '../src/store/memory.ts';
import { RedisAuthStore } from '../src/store/redis.ts';
import type { AuthStore } from '../src/store/types.ts';
import type { AuthUser } from '../src/types.ts';

// Refresh-token families, on the memory store and on the real Redis of test-services.

const SECRET = 'rX3v8yQ2mWk5pL9sT1uA7cE4gH6jN0bD-fZ_oI2qV5xY8wR3tK6nM9aS1dF4gJ7h';

function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (url === undefined || url === '') {
    throw new Error(
      'REDIS_URL is not set: run through test-services (../../tooling/test-services/bin/test-services.mjs --redis -- npx vitest run test/jwt-refresh.test.ts).',
    );
  }
  return url;
}

const clients: Redis[] = [];
afterAll(async () => {
  await Promise.all(clients.map((client) => client.quit()));
});

/** Every value a store was given, to check that no refresh token is kept in clear. */
interface Recorded {
  readonly store: AuthStore;
  readonly written: string[];
}

function recording(kind: 'memory' | 'redis'): Recorded {
  let inner: AuthStore;
  if (kind === 'memory') inner = new MemoryAuthStore();
  else {
    const client = new Redis(redisUrl(), { enableOfflineQueue: false, commandTimeout: 5_000 });
    client.on('error', () => {});
    clients.push(client);
    inner = new RedisAuthStore(client, { prefix: `test:jwt:${randomUUID()}:` });
  }
  const written: string[] = [];
  const store: AuthStore = {
    kind: inner.kind,
    get: (key) => inner.get(key),
    set: (key, value, ttl) => {
      written.push(key, value);
      return inner.set(key, value, ttl);
    },
    add: (key, value, ttl) => {
      written.push(key, value);
      return inner.add(key, value, ttl);
    },
    take: (key) => inner.take(key),
    delete: (...keys) => inner.delete(...keys),
    addMember: (set, member, ttl) => {
      written.push(set, member);
      return inner.addMember(set, member, ttl);
    },
    removeMember: (set, member) => inner.removeMember(set, member),
    members: (set) => inner.members(set),
  };
  return { store, written };
}

const users = new Map<string, AuthUser & { name: string }>();
const reload = async (id: string) => users.get(id);

function service(store: AuthStore): TokenService {
  return createTokenService({ secret: SECRET, expiresIn: '5m', refresh: { enabled: true, expiresIn: '7d' } }, store);
}

async function reason(promise: Promise<unknown>): Promise<{ status: number; code: string } | undefined> {
  return promise.then(
    () => undefined,
    (error: { status: number; code: string }) => ({ status: error.status, code: error.code }),
  );
}

const INVALID = { status: 401, code: 'FW_AUTH_TOKEN_INVALID' };
const REUSED = { status: 401, code: 'FW_AUTH_REFRESH_REUSED' };

describe.each(['memory', 'redis'] as const)('refresh families on the %s store', (kind) => {
  const setup = () => {
    const recorded = recording(kind);
    const id = randomUUID();
    users.set(id, { id, roles: ['user'], name: 'Ada' });
    return { ...recorded, tokens: service(recorded.store), id };
  };

  it('issues an opaque 256-bit refresh token and stores only its SHA-256 hash', async () => {
    const { tokens, id, written } = setup();
    const pair = await tokens.issue({ id, roles: ['user'] });
    expect(pair.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pair.refreshExpiresIn).toBe(7 * 86_400);
    const token = pair.refreshToken ?? '';
    const hash = createHash('sha256').update(token).digest('hex');
    expect(written.some((entry) => entry.includes(token))).toBe(false);
    expect(written.some((entry) => entry.includes(hash))).toBe(true);
  });

  it('rotates: the new pair works and stays in the family, the old refresh token does not', async () => {
    const { tokens, id } = setup();
    const first = await tokens.issue({ id, roles: ['user'] });
    const second = await tokens.refresh(first.refreshToken ?? '', reload);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const a = await tokens.verify(first.accessToken);
    const b = await tokens.verify(second.accessToken);
    expect(b.claims.fid).toBe(a.claims.fid);
    expect(b.user).toEqual({ id, roles: ['user'], name: 'Ada' });
    const third = await tokens.refresh(second.refreshToken ?? '', reload);
    await expect(tokens.verify(third.accessToken)).resolves.toBeDefined();
  });

  it('re-reads the user: a role change takes effect on refresh', async () => {
    const { tokens, id } = setup();
    const pair = await tokens.issue({ id, roles: ['user'] });
    users.set(id, { id, roles: ['user', 'admin'], name: 'Ada' });
    const next = await tokens.refresh(pair.refreshToken ?? '', reload);
    expect((await tokens.verify(next.accessToken)).user.roles).toEqual(['user', 'admin']);
  });

  it('refuses the refresh of a user that is gone, and ends the sign-in', async () => {
    const { tokens, id } = setup();
    const pair = await tokens.issue({ id, roles: ['user'] });
    users.delete(id);
    expect(await reason(tokens.refresh(pair.refreshToken ?? '', reload))).toEqual(INVALID);
    expect(await reason(tokens.verify(pair.accessToken))).toEqual(INVALID);
  });

  it('a reused refresh token revokes the whole family: every refresh and access token of it', async () => {
    const { tokens, id } = setup();
    const first = await tokens.issue({ id, roles: ['user'] });
    const second = await tokens.refresh(first.refreshToken ?? '', reload);
    const other = await tokens.issue({ id, roles: ['user'] });

    expect(await reason(tokens.refresh(first.refreshToken ?? '', reload))).toEqual(REUSED);
    expect(await reason(tokens.refresh(second.refreshToken ?? '', reload))).toEqual(INVALID);
    expect(await reason(tokens.verify(first.accessToken))).toEqual(INVALID);
    expect(await reason(tokens.verify(second.accessToken))).toEqual(INVALID);
    // Another sign-in of the same user is not touched.
    await expect(tokens.verify(other.accessToken)).resolves.toBeDefined();
    await expect(tokens.refresh(other.refreshToken ?? '', reload)).resolves.toBeDefined();
  });

  it('two concurrent uses of one refresh token cannot both succeed', async () => {
    const { tokens, id } = setup();
    const pair = await tokens.issue({ id, roles: ['user'] });
    const results = await Promise.allSettled([
      tokens.refresh(pair.refreshToken ?? '', reload),
      tokens.refresh(pair.refreshToken ?? '', reload),
    ]);
    const won = results.filter((result) => result.status === 'fulfilled');
    const lost = results.filter((result) => result.status === 'rejected');
    expect(won.length).toBeLessThanOrEqual(1);
    expect(lost.length).toBeGreaterThanOrEqual(1);
    for (const result of lost) expect(result.reason).toMatchObject({ status: 401 });
    // The race is a second use: whatever the winner got is revoked with the family.
    for (const result of won) expect(await reason(tokens.verify(result.value.accessToken))).toEqual(INVALID);
  });

  it('revokeRefresh ends one sign-in: its refresh and access tokens', async () => {
    const { tokens, id } = setup();
    const pair = await tokens.issue({ id, roles: ['user'] });
    const other = await tokens.issue({ id, roles: ['user'] });
    await tokens.revokeRefresh(pair.refreshToken ?? '');
    expect(await reason(tokens.refresh(pair.refreshToken ?? '', reload))).toEqual(INVALID);
    expect(await reason(tokens.verify(pair.accessToken))).toEqual(INVALID);
    await expect(tokens.verify(other.accessToken)).resolves.toBeDefined();
    // Revoking an unknown token is no error (a logout twice).
    await expect(tokens.revokeRefresh('x'.repeat(43))).resolves.toBeUndefined();
  });

  it('revokeUser logs out everywhere: every family and every access token issued before', async () => {
    const { tokens, id } = setup();
    const laptop = await tokens.issue({ id, roles: ['user'] });
    const phone = await tokens.issue({ id, roles: ['user'] });
    const rotated = await tokens.refresh(phone.refreshToken ?? '', reload);
    await tokens.revokeUser(id);
    for (const token of [laptop.refreshToken, rotated.refreshToken]) {
      expect(await reason(tokens.refresh(token ?? '', reload))).toEqual(INVALID);
    }
    for (const token of [laptop.accessToken, phone.accessToken, rotated.accessToken]) {
      expect(await reason(tokens.verify(token))).toEqual(INVALID);
    }
    const again = await tokens.issue({ id, roles: ['user'] });
    await expect(tokens.verify(again.accessToken)).resolves.toBeDefined();
    await expect(tokens.refresh(again.refreshToken ?? '', reload)).resolves.toBeDefined();
  });

  it('refuses an access token, a truncated token and garbage as refresh tokens', async () => {
    const { tokens, id } = setup();
    const pair = await tokens.issue({ id, roles: ['user'] });
    expect(await reason(tokens.refresh(pair.accessToken, reload))).toEqual(INVALID);
    expect(await reason(tokens.refresh((pair.refreshToken ?? '').slice(0, 42), reload))).toEqual(INVALID);
    expect(await reason(tokens.refresh('A'.repeat(43), reload))).toEqual(INVALID);
    // The genuine one still works: failed attempts do not consume it.
    await expect(tokens.refresh(pair.refreshToken ?? '', reload)).resolves.toBeDefined();
  });
});

describe('refresh when the store fails', () => {
  it("passes the store's 503 through: the refresh token is neither accepted nor consumed", async () => {
    const store = new MemoryAuthStore();
    const tokens = service(store);
    const pair = await tokens.issue({ id: 'u1', roles: [] });
    const take = store.take.bind(store);
    store.take = async () => {
      throw new AuthStoreUnavailableError('memory');
    };
    expect(await reason(tokens.refresh(pair.refreshToken ?? '', async (id) => ({ id, roles: [] })))).toEqual({
      status: 503,
      code: 'FW_AUTH_STORE_UNAVAILABLE',
    });
    store.take = take;
    await expect(tokens.refresh(pair.refreshToken ?? '', async (id) => ({ id, roles: [] }))).resolves.toBeDefined();
  });
});

describe('refresh when refresh tokens are off', () => {
  it('refresh() says how to turn them on', async () => {
    const tokens = createTokenService({ secret: SECRET }, new MemoryAuthStore());
    await expect(tokens.refresh('x', reload)).rejects.toThrow(/refresh: \{ enabled: true/);
    const off = createTokenService({ secret: SECRET, refresh: { enabled: false } }, new MemoryAuthStore());
    expect(off.refreshes).toBe(false);
    expect((await off.issue({ id: '1', roles: [] })).refreshToken).toBeUndefined();
  });
});
