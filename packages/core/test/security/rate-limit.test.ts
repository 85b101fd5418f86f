import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import type { Context } from '../../src/context.ts';
import { createApp } from '../../src/create-app.ts';
import { UnauthorizedError } from '../../src/errors.ts';
import { clientAddressKey, type RateLimitOptions, rateLimit } from '../../src/security/rate-limit.ts';
import { MemoryRateLimitStore, type RateLimitStore } from '../../src/security/store.ts';
import { readJson } from '../helpers.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stands in for the server driver's socket address: one loopback interface cannot send from many
 * IPv6 addresses, so in-memory tests name the peer in `x-test-peer`. Only tests about client identity
 * across addresses use it; the spoofing test runs on a real socket without it.
 */
function simulatePeers(app: App): void {
  app.onRequest((ctx) => {
    const peer = ctx.headers['x-test-peer'];
    if (peer !== undefined) Object.defineProperty(ctx, 'ip', { value: peer });
  });
}

function limitedApp(options: RateLimitOptions) {
  const app = createApp({ logger: false });
  simulatePeers(app);
  let calls = 0;
  const limited = app.use(rateLimit({ logger: false, ...options }));
  limited.get('/', () => {
    calls++;
    return { ok: true };
  });
  return { app: limited, calls: () => calls };
}

const from = (peer: string, headers: Record<string, string> = {}) => ({ headers: { 'x-test-peer': peer, ...headers } });

const started: App[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((app) => app.stop()));
});

describe('rateLimit: the global limit (RL-01)', () => {
  it('answers request max+1 with 429 problem+json and Retry-After, without calling the handler, and serves again after the window', async () => {
    // A window long enough for 101 requests on a loaded CI machine, short enough to wait out.
    const { app, calls } = limitedApp({ max: 100, window: '3s' });
    for (let i = 0; i < 100; i++) expect((await app.request('/')).status).toBe(200);
    const refused = await app.request('/');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3);
    const problem = await readJson(refused);
    expect(problem.code).toBe('FW_ERR_RATE_LIMITED');
    expect(problem.detail).toContain(`limit is 100 per 3 seconds. Retry after ${retryAfter} second`);
    expect(calls()).toBe(100);
    expect(app.rateLimit.stats.limited).toBe(1);
    await sleep(3050);
    expect((await app.request('/')).status).toBe(200);
    expect(calls()).toBe(101);
  });

  it('sends RateLimit-Limit, -Remaining and -Reset, and none with headers: false', async () => {
    const { app } = limitedApp({ max: 3, window: '1m' });
    const first = await app.request('/');
    expect(first.headers.get('ratelimit-limit')).toBe('3');
    expect(first.headers.get('ratelimit-remaining')).toBe('2');
    expect(first.headers.get('ratelimit-reset')).toBe('60');
    await app.request('/');
    expect((await app.request('/')).headers.get('ratelimit-remaining')).toBe('0');

    const quiet = limitedApp({ max: 1, window: '1m', headers: false }).app;
    const served = await quiet.request('/');
    expect(served.headers.get('ratelimit-limit')).toBeNull();
    expect(served.headers.get('ratelimit-remaining')).toBeNull();
    const refused = await quiet.request('/');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('ratelimit-limit')).toBeNull();
    expect(refused.headers.get('retry-after')).not.toBeNull();
  });

  it('does not count or limit requests that skip() exempts', async () => {
    const { app, calls } = limitedApp({ max: 2, skip: (ctx) => ctx.headers['x-health'] === 'probe' });
    for (let i = 0; i < 10; i++) {
      const res = await app.request('/', { headers: { 'x-health': 'probe' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBeNull();
    }
    expect((await app.request('/')).headers.get('ratelimit-remaining')).toBe('1');
    expect(calls()).toBe(11);
  });

  it('keys clients with an async keyGenerator (per API key here, whatever the address)', async () => {
    const { app } = limitedApp({
      max: 2,
      keyGenerator: async (ctx: Context) => `key:${ctx.headers['x-api-key'] ?? 'anonymous'}`,
    });
    expect((await app.request('/', from('192.0.2.1', { 'x-api-key': 'alpha' }))).status).toBe(200);
    expect((await app.request('/', from('192.0.2.2', { 'x-api-key': 'alpha' }))).status).toBe(200);
    expect((await app.request('/', from('192.0.2.3', { 'x-api-key': 'alpha' }))).status).toBe(429);
    expect((await app.request('/', from('192.0.2.3', { 'x-api-key': 'beta' }))).status).toBe(200);
  });

  it('app.rateLimit.reset() lifts the limit and the block of one client (an admin unblock)', async () => {
    const { app } = limitedApp({
      max: 2,
      suspicious: { scanningBehavior: { indicators: ['random-paths'], threshold: 1, duration: '1h' } },
    });
    await app.request('/');
    await app.request('/');
    expect((await app.request('/')).status).toBe(429);
    await app.rateLimit.reset('127.0.0.1');
    expect((await app.request('/')).status).toBe(200);
    await app.request('/missing-1');
    await app.request('/missing-2');
    expect((await app.request('/')).status).toBe(429);
    await app.rateLimit.reset('127.0.0.1');
    expect((await app.request('/')).status).toBe(200);
  });

  it('rejects invalid options at registration with a message that says what to pass', () => {
    expect(() => rateLimit({ max: 0 })).toThrow(/max must be a positive integer/);
    expect(() => rateLimit({ window: 'soon' as never })).toThrow(/'15m'/);
    expect(() => rateLimit({ routes: { '/api/login': { max: 5 } } })).toThrow(/METHOD \/path/);
    expect(() => rateLimit({ routes: { 'GET /a/*/b': { max: 5 } } })).toThrow(/only at the end/);
  });
});

describe('rateLimit: per-route limits', () => {
  function routedApp() {
    const app = createApp({ logger: false });
    const limited = app.use(
      rateLimit({
        logger: false,
        max: 5,
        routes: {
          'POST /api/login': { max: 2 },
          'POST /api/*': { max: 3 },
          '* /api/*': { max: 4 },
          'GET /health': false,
        },
      }),
    );
    limited.post('/api/login', () => ({ ok: true }));
    limited.post('/api/items', () => ({ ok: true }));
    limited.delete('/api/items', () => ({ ok: true }));
    limited.get('/health', () => ({ ok: true }));
    limited.get('/other', () => ({ ok: true }));
    return limited;
  }

  it('applies the most specific pattern, each with its own bucket', async () => {
    const app = routedApp();
    const post = (path: string) => app.request(path, { method: 'POST' });
    expect((await post('/api/login')).headers.get('ratelimit-limit')).toBe('2');
    expect((await post('/api/login')).status).toBe(200);
    expect((await post('/api/login')).status).toBe(429);
    // The login bucket is spent; the others are untouched.
    const items = await post('/api/items');
    expect(items.status).toBe(200);
    expect(items.headers.get('ratelimit-limit')).toBe('3');
    const removed = await app.request('/api/items', { method: 'DELETE' });
    expect(removed.headers.get('ratelimit-limit')).toBe('4');
    expect(removed.headers.get('ratelimit-remaining')).toBe('3');
    const other = await app.request('/other');
    expect(other.headers.get('ratelimit-limit')).toBe('5');
    expect(other.headers.get('ratelimit-remaining')).toBe('4');
  });

  it('does not let path spellings dodge a route limit (trailing slash, escaped letters)', async () => {
    const app = routedApp();
    await app.request('/api/login', { method: 'POST' });
    await app.request('/api/login', { method: 'POST' });
    for (const spelling of ['/api/login/', '/api/%6Cogin', '/api/log%69n/']) {
      const res = await app.request(spelling, { method: 'POST' });
      expect(res.status, spelling).toBe(429);
      expect(res.headers.get('ratelimit-limit')).toBe('2');
    }
  });

  it('leaves a route set to false unlimited', async () => {
    const app = routedApp();
    for (let i = 0; i < 20; i++) {
      const res = await app.request('/health');
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBeNull();
    }
  });
});

describe('rateLimit: client identity', () => {
  it('RL-03: counts IPv6 addresses by their /56 prefix, and IPv4-mapped IPv6 as IPv4', async () => {
    const { app, calls } = limitedApp({ max: 3 });
    expect((await app.request('/', from('2001:db8:1:ab01::1'))).status).toBe(200);
    expect((await app.request('/', from('2001:db8:1:ab02:ffff::2'))).status).toBe(200);
    expect((await app.request('/', from('2001:db8:1:abff:1:2:3:4'))).status).toBe(200);
    expect((await app.request('/', from('2001:db8:1:ab42::9'))).status).toBe(429);
    expect((await app.request('/', from('2001:db8:1:cd00::1'))).status).toBe(200);
    expect(calls()).toBe(4);

    await app.request('/', from('203.0.113.9'));
    await app.request('/', from('::ffff:203.0.113.9'));
    await app.request('/', from('::ffff:cb00:7109'));
    expect((await app.request('/', from('203.0.113.9'))).status).toBe(429);
  });

  it('RL-03: ipv6Subnet narrows the prefix (64 keeps two /64s of one /56 apart)', async () => {
    const { app } = limitedApp({ max: 1, ipv6Subnet: 64 });
    expect((await app.request('/', from('2001:db8:1:ab01::1'))).status).toBe(200);
    expect((await app.request('/', from('2001:db8:1:ab01::2'))).status).toBe(429);
    expect((await app.request('/', from('2001:db8:1:ab02::1'))).status).toBe(200);
    expect(clientAddressKey('2001:db8:1:ab01::1', 56)).toBe('2001:db8:1:ab00::/56');
    expect(clientAddressKey('fe80::1%eth0', 64)).toBe('fe80:0:0:0::/64');
    expect(clientAddressKey('::ffff:198.51.100.4')).toBe('198.51.100.4');
    expect(clientAddressKey('')).toBe('unknown');
  });

  it('RL-04: a spoofed X-Forwarded-For per request does not dodge the limit (proxy not trusted, real socket); other clients are unaffected', async () => {
    const app = createApp({ logger: false });
    let calls = 0;
    app.use(rateLimit({ logger: false, max: 3 })).get('/', () => {
      calls++;
      return { ok: true };
    });
    const { port } = await app.start({ port: 0 });
    started.push(app);
    const get = (localAddress: string, headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/', localAddress, headers, agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        await get('127.0.0.1', {
          'x-forwarded-for': `10.0.0.${i}`,
          'x-real-ip': `10.1.0.${i}`,
          forwarded: `for=10.2.0.${i}`,
        }),
      );
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(calls).toBe(3);
    expect(await get('127.0.0.2', {})).toBe(200);
  });
});

class BrokenStore implements RateLimitStore {
  readonly fault: 'throws' | 'hangs';
  constructor(fault: 'throws' | 'hangs') {
    this.fault = fault;
  }
  private fail<T>(): Promise<T> {
    return this.fault === 'throws'
      ? Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379'))
      : new Promise<T>(() => {});
  }
  increment() {
    return this.fail<{ count: number; resetAt: number }>();
  }
  decrement() {
    return this.fail<void>();
  }
  reset() {
    return this.fail<void>();
  }
  block() {
    return this.fail<void>();
  }
  blockedUntil() {
    return this.fail<number>();
  }
}

describe('rateLimit: store failures (RL-06)', () => {
  function logSpy() {
    const errors: string[] = [];
    return {
      errors,
      logger: { debug() {}, info() {}, warn() {}, error: (_fields: unknown, message: string) => errors.push(message) },
    };
  }

  it('fails open by default: requests are served, the failure is counted and logged once per interval', async () => {
    const { errors, logger } = logSpy();
    const { app, calls } = limitedApp({ max: 1, store: new BrokenStore('throws'), logger });
    for (let i = 0; i < 5; i++) {
      const res = await app.request('/');
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBeNull();
    }
    expect(calls()).toBe(5);
    expect(app.rateLimit.stats.storeErrors).toBe(5);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/served without limits/);
  });

  it('fails closed with failClosed: true: 503 with Retry-After, the handler is not called', async () => {
    const { app, calls } = limitedApp({ max: 1, store: new BrokenStore('throws'), failClosed: true });
    const res = await app.request('/');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect((await readJson(res)).code).toBe('FW_ERR_RATE_LIMIT_UNAVAILABLE');
    expect(calls()).toBe(0);
  });

  it('bounds a store that never answers by storeTimeout, under both policies', async () => {
    const open = limitedApp({ store: new BrokenStore('hangs'), storeTimeout: '100ms' });
    const closed = limitedApp({ store: new BrokenStore('hangs'), storeTimeout: '100ms', failClosed: true });
    const started = Date.now();
    const [served, refused] = await Promise.all([open.app.request('/'), closed.app.request('/')]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(served.status).toBe(200);
    expect(refused.status).toBe(503);
    expect(open.app.rateLimit.stats.storeErrors).toBe(1);
  });

  it('limits again as soon as the store recovers', async () => {
    const memory = new MemoryRateLimitStore();
    let down = true;
    const flaky: RateLimitStore = {
      increment: (key, windowMs) => (down ? Promise.reject(new Error('down')) : memory.increment(key, windowMs)),
      decrement: (key) => memory.decrement(key),
      reset: (key) => memory.reset(key),
      block: (key, ms) => memory.block(key, ms),
      blockedUntil: (key) => memory.blockedUntil(key),
    };
    const { app } = limitedApp({ max: 2, store: flaky });
    for (let i = 0; i < 4; i++) expect((await app.request('/')).status).toBe(200);
    down = false;
    expect((await app.request('/')).status).toBe(200);
    expect((await app.request('/')).status).toBe(200);
    expect((await app.request('/')).status).toBe(429);
    memory.close();
  });
});

interface LoginFields {
  email: string;
  password: string;
  captcha?: string;
}

function readLogin(body: unknown): LoginFields {
  const value = typeof body === 'object' && body !== null ? body : {};
  const field = (name: string) => (name in value ? String(Reflect.get(value, name)) : '');
  return { email: field('email'), password: field('password'), captcha: field('captcha') };
}

function loginApp(failedLogins: NonNullable<NonNullable<RateLimitOptions['suspicious']>['failedLogins']>) {
  const app = createApp({ logger: false });
  simulatePeers(app);
  const limited = app.use(rateLimit({ logger: false, max: 1000, suspicious: { failedLogins } }));
  const passwords: Record<string, string> = { 'victim@example.com': 'correct horse' };
  let passwordChecks = 0;
  limited.post('/login', async (ctx) => {
    const { email, password, captcha } = readLogin(ctx.body);
    await ctx.rateLimit.check({ key: email, challengePassed: captcha === 'solved' });
    passwordChecks++;
    if (passwords[email] !== password) {
      await ctx.rateLimit.fail({ key: email });
      throw new UnauthorizedError('Wrong email or password.');
    }
    await ctx.rateLimit.succeed({ key: email });
    return { ok: true };
  });
  limited.get('/', () => ({ ok: true }));
  const login = (peer: string, email: string, password: string, captcha?: string) =>
    limited.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-test-peer': peer },
      body: JSON.stringify({ email, password, captcha }),
    });
  return { app: limited, login, passwordChecks: () => passwordChecks };
}

describe('rateLimit: failed logins', () => {
  it("'block' refuses the client everywhere for `duration` after max failures; other clients are unaffected", async () => {
    const { app, login } = loginApp({ max: 3, window: '1m', action: 'block', duration: '1500ms' });
    for (const email of ['a@example.com', 'b@example.com', 'c@example.com']) {
      expect((await login('198.51.100.7', email, 'guess')).status).toBe(401);
    }
    const blocked = await app.request('/', from('198.51.100.7'));
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await app.request('/', from('198.51.100.8'))).status).toBe(200);
    await sleep(1600);
    expect((await app.request('/', from('198.51.100.7'))).status).toBe(200);
  });

  it("'throttle' delays attempts past max by about a second (bounded), and the right password still works", async () => {
    const { app, login } = loginApp({ max: 2, window: '1m', action: 'throttle' });
    await login('198.51.100.7', 'victim@example.com', 'guess');
    await login('198.51.100.7', 'victim@example.com', 'guess');
    const before = Date.now();
    const res = await login('198.51.100.7', 'victim@example.com', 'correct horse');
    const took = Date.now() - before;
    expect(res.status).toBe(200);
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(2500);
    expect(app.rateLimit.stats.throttled).toBe(1);
  });

  it("'captcha' answers FW_ERR_CAPTCHA_REQUIRED without checking the password; a solved challenge and a success clear it", async () => {
    const { login, passwordChecks } = loginApp({ max: 2, window: '1m', action: 'captcha' });
    await login('198.51.100.7', 'victim@example.com', 'guess');
    await login('198.51.100.7', 'victim@example.com', 'guess');
    const challenged = await login('198.51.100.7', 'victim@example.com', 'correct horse');
    expect(challenged.status).toBe(429);
    expect((await readJson(challenged)).code).toBe('FW_ERR_CAPTCHA_REQUIRED');
    expect(passwordChecks()).toBe(2);
    expect((await login('198.51.100.7', 'victim@example.com', 'correct horse', 'solved')).status).toBe(200);
    expect((await login('198.51.100.7', 'victim@example.com', 'guess')).status).toBe(401);
  });

  it('resetOnSuccess clears the count on a successful login; with resetOnSuccess: false failures keep adding up', async () => {
    const resetting = loginApp({ max: 3, window: '1m', action: 'block', duration: '1m' });
    const keeping = loginApp({ max: 3, window: '1m', action: 'block', duration: '1m', resetOnSuccess: false });
    for (const { login } of [resetting, keeping]) {
      await login('198.51.100.7', 'victim@example.com', 'guess');
      await login('198.51.100.7', 'victim@example.com', 'guess');
      await login('198.51.100.7', 'victim@example.com', 'correct horse');
      await login('198.51.100.7', 'victim@example.com', 'guess');
    }
    expect((await resetting.login('198.51.100.7', 'victim@example.com', 'guess')).status).toBe(401);
    expect((await keeping.login('198.51.100.7', 'victim@example.com', 'guess')).status).toBe(429);
  });
});

describe('rateLimit: account brute force from rotating addresses (RL-05)', () => {
  it("'block': the account is closed to unknown clients, while the victim's known device still signs in", async () => {
    const { login, passwordChecks } = loginApp({ max: 5, window: '15m', action: 'block' });
    expect((await login('203.0.113.50', 'victim@example.com', 'correct horse')).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++)
      statuses.push((await login(`198.51.100.${i + 1}`, 'victim@example.com', 'guess')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
    expect(passwordChecks()).toBe(6);
    // Even the right password from a new attacker address is refused before it is checked.
    expect((await login('198.51.100.99', 'victim@example.com', 'correct horse')).status).toBe(429);
    expect((await login('203.0.113.50', 'victim@example.com', 'correct horse')).status).toBe(200);
  });

  it("'captcha': rotating addresses meet a challenge; the victim from a new address passes it and signs in", async () => {
    const { login } = loginApp({ max: 5, window: '15m', action: 'captcha' });
    for (let i = 0; i < 10; i++) await login(`198.51.100.${i + 1}`, 'victim@example.com', 'guess');
    const challenged = await login('192.0.2.77', 'victim@example.com', 'correct horse');
    expect(challenged.status).toBe(429);
    expect((await readJson(challenged)).code).toBe('FW_ERR_CAPTCHA_REQUIRED');
    expect((await login('192.0.2.77', 'victim@example.com', 'correct horse', 'solved')).status).toBe(200);
  });

  it('answers an unknown account exactly like a known one with a wrong password (no enumeration by status)', async () => {
    const { login } = loginApp({ max: 3, window: '15m', action: 'block' });
    const trace = async (email: string) => {
      const out: string[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await login(`198.51.100.${i + 1}`, email, 'guess');
        out.push(`${res.status} ${(await readJson(res)).code}`);
      }
      return out;
    };
    const existing = await trace('victim@example.com');
    const unknown = await trace('nobody@example.com');
    expect(unknown).toEqual(existing);
    expect(existing.at(-1)).toBe('429 FW_ERR_RATE_LIMITED');
  });

  it('counts case variants of one account together', async () => {
    const { login } = loginApp({ max: 2, window: '15m', action: 'block' });
    await login('198.51.100.1', 'Victim@Example.com', 'guess');
    await login('198.51.100.2', ' victim@example.com', 'guess');
    expect((await login('198.51.100.3', 'VICTIM@EXAMPLE.COM', 'guess')).status).toBe(429);
  });
});

describe('rateLimit: scanners and bursts', () => {
  it('blocks a client after a burst of 404s (random paths), with Retry-After; others are unaffected', async () => {
    const { app, calls } = limitedApp({
      max: 1000,
      suspicious: { scanningBehavior: { indicators: ['random-paths'], threshold: 5, window: '1m', duration: '1h' } },
    });
    for (const path of ['/wp-admin', '/.env', '/phpmyadmin', '/.git/config', '/backup.zip', '/admin.php']) {
      expect((await app.request(path, from('198.51.100.66'))).status).toBe(404);
    }
    const blocked = await app.request('/', from('198.51.100.66'));
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(3500);
    expect(calls()).toBe(0);
    expect((await app.request('/', from('198.51.100.67'))).status).toBe(200);
  });

  it('does not count 404s when random-paths is not an indicator', async () => {
    const { app } = limitedApp({
      max: 1000,
      suspicious: { scanningBehavior: { indicators: ['sql-injection-attempts'], threshold: 2 } },
    });
    for (let i = 0; i < 10; i++) await app.request(`/missing-${i}`);
    expect((await app.request('/')).status).toBe(200);
  });

  it('blocks a client whose queries look like SQL injection, XSS or path traversal; ordinary queries pass', async () => {
    const options: RateLimitOptions = { max: 1000, suspicious: { scanningBehavior: { threshold: 2, duration: '1h' } } };
    const attacks = {
      sql: [
        "/?id=1'%20OR%20'1'='1",
        '/?q=1%20UNION%20SELECT%20password%20FROM%20users',
        '/?sort=name;%20DROP%20TABLE%20users',
      ],
      xss: [
        '/?q=%3Cscript%3Ealert(1)%3C/script%3E',
        '/?next=javascript:alert(1)',
        '/?q=%3Cimg%20src=x%20onerror=alert(1)%3E',
      ],
      // A traversal in the path itself is refused (400) before routing by strictPaths; these hide it in the query.
      traversal: ['/?file=../../etc/passwd', '/?file=..%252f..%252fwin.ini', '/?file=..%5c..%5cwindows%5cwin.ini'],
    };
    for (const [kind, targets] of Object.entries(attacks)) {
      const { app } = limitedApp(options);
      const statuses = [];
      for (const target of targets) statuses.push((await app.request(target, from('198.51.100.9'))).status);
      expect(statuses, kind).toEqual([200, 200, 429]);
      expect((await app.request('/', from('198.51.100.9'))).status, kind).toBe(429);
      expect((await app.request('/', from('198.51.100.10'))).status, kind).toBe(200);
    }
    const { app } = limitedApp(options);
    for (const target of [
      "/?q=o'reilly&sort=name",
      '/?q=select%20a%20plan&page=2',
      '/?redirect=/account/settings',
      '/?q=1%3D1',
    ]) {
      expect((await app.request(target)).status, target).toBe(200);
    }
    expect((await app.request('/')).status).toBe(200);
  });

  it('answers a 4 KiB adversarial query quickly (the indicator patterns are linear)', async () => {
    const { app } = limitedApp({ max: 1000, suspicious: { scanningBehavior: { threshold: 100 } } });
    const started = Date.now();
    const res = await app.request(`/?q=${"'%20or%20".repeat(300)}${'a'.repeat(2000)}`);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('ctx.rateLimit.flag() feeds the scanning detector (for the input sanitizer)', async () => {
    const app = createApp({ logger: false });
    const limited = app.use(rateLimit({ logger: false, suspicious: { scanningBehavior: { threshold: 1 } } }));
    limited.get('/search', async (ctx) => {
      await ctx.rateLimit.flag('sanitizer rejected input');
      return { ok: true };
    });
    expect((await limited.request('/search')).status).toBe(200);
    expect((await limited.request('/search')).status).toBe(200);
    expect((await limited.request('/search')).status).toBe(429);
  });

  it("rapidRequests 'block' refuses a burst past the threshold until `duration` passes", async () => {
    const { app, calls } = limitedApp({
      max: 1000,
      suspicious: { rapidRequests: { threshold: 5, window: '10s', action: 'block', duration: '1500ms' } },
    });
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await app.request('/')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(calls()).toBe(5);
    await sleep(1600);
    expect((await app.request('/')).status).toBe(200);
  });
});
