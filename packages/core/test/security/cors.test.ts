import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { createApp } from '../../src/create-app.ts';
import { FrameworkError } from '../../src/errors.ts';
import { type CorsOptions, cors } from '../../src/security/cors.ts';

const APP_ORIGIN = 'https://app.example.com';
const EVIL_ORIGIN = 'https://evil.example';

function corsApp(options: CorsOptions) {
  let calls = 0;
  const app = createApp({ logger: false, csrf: false }).use(cors(options));
  app.get('/data', (ctx) => {
    ctx.header('x-request-id', 'r-1');
    return { secret: 'account data' };
  });
  app.post('/items', () => {
    calls++;
    return { created: true };
  });
  app.get('/boom', () => {
    throw new Error('broken');
  });
  return { app, calls: () => calls };
}

function preflight(app: App, origin: string, extra: Record<string, string> = {}, path = '/items') {
  return app.request(path, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', ...extra },
  });
}

function allowHeaders(res: Response): string[] {
  return [...res.headers.keys()].filter((name) => name.startsWith('access-control-'));
}

describe('cors()', () => {
  it('HD-06: with credentials, a foreign Origin is not echoed and gets no Access-Control-Allow-* headers', async () => {
    const { app, calls } = corsApp({ origin: [APP_ORIGIN], credentials: true });
    const actual = await app.request('/data', { headers: { origin: EVIL_ORIGIN } });
    expect(actual.status).toBe(200);
    expect(allowHeaders(actual)).toEqual([]);
    const pre = await preflight(app, EVIL_ORIGIN);
    expect(pre.status).toBe(204);
    expect(allowHeaders(pre)).toEqual([]);
    expect(calls()).toBe(0);
  });

  it('HD-06: an allowed origin is echoed exactly with Vary: Origin and Allow-Credentials', async () => {
    const { app } = corsApp({ origin: [APP_ORIGIN], credentials: true });
    const res = await app.request('/data', { headers: { origin: APP_ORIGIN } });
    expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('vary')).toBe('Origin');
    // A look-alike is not a prefix match.
    const near = await app.request('/data', { headers: { origin: `${APP_ORIGIN}.evil.example` } });
    expect(near.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a preflight on a path that only has a POST route, before routing, without running the handler', async () => {
    const { app, calls } = corsApp({ origin: APP_ORIGIN, methods: ['GET', 'POST'] });
    const res = await preflight(app, APP_ORIGIN, { 'access-control-request-headers': 'Content-Type, X-CSRF-Token' });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type, x-csrf-token');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('vary')).toBe('Origin, Access-Control-Request-Headers');
    expect(calls()).toBe(0);
  });

  it('lets a plain OPTIONS (no Origin / no Access-Control-Request-Method) fall through to the app: 204 + Allow', async () => {
    const { app } = corsApp({ origin: APP_ORIGIN });
    const plain = await app.request('/items', { method: 'OPTIONS' });
    expect(plain.status).toBe(204);
    expect(plain.headers.get('allow')).toBe('OPTIONS, POST');
    expect(plain.headers.get('access-control-allow-methods')).toBeNull();
    const originOnly = await app.request('/items', { method: 'OPTIONS', headers: { origin: APP_ORIGIN } });
    expect(originOnly.headers.get('allow')).toBe('OPTIONS, POST');
    expect(originOnly.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('HD-07: a preflight with 100 kB of whitespace in Access-Control-Request-Headers gets 400 fast', async () => {
    const { app } = corsApp({ origin: APP_ORIGIN });
    const started = performance.now();
    const res = await preflight(app, APP_ORIGIN, {
      'access-control-request-headers': `x-a,${' '.repeat(100_000)},x-b`,
    });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(res.status).toBe(400);
    expect((await res.json()) as { code: string }).toMatchObject({ code: 'FW_ERR_CORS_PREFLIGHT' });
    // Under the cap, a whitespace-padded list is parsed in one pass and echoed cleaned up.
    const padded = await preflight(app, APP_ORIGIN, {
      'access-control-request-headers': ` ,${' '.repeat(2000)}X-One ,, x-two${' '.repeat(1500)},`,
    });
    expect(padded.status).toBe(204);
    expect(padded.headers.get('access-control-allow-headers')).toBe('x-one, x-two');
  });

  it('refuses a requested header that is not a header name with 400, and uses a fixed allowedHeaders list', async () => {
    const { app } = corsApp({ origin: APP_ORIGIN });
    const bad = await preflight(app, APP_ORIGIN, { 'access-control-request-headers': 'x-ok, bad header' });
    expect(bad.status).toBe(400);
    const fixed = corsApp({ origin: APP_ORIGIN, allowedHeaders: ['Content-Type'] });
    const res = await preflight(fixed.app, APP_ORIGIN, { 'access-control-request-headers': 'x-anything' });
    expect(res.headers.get('access-control-allow-headers')).toBe('Content-Type');
    expect(res.headers.get('vary')).toBe('Origin');
  });

  it('matches origins by RegExp without letting look-alikes through', async () => {
    const { app } = corsApp({ origin: /^https:\/\/[a-z0-9-]+\.example\.com$/ });
    const ok = await app.request('/data', { headers: { origin: 'https://admin.example.com' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
    for (const origin of ['https://example.com.evil.example', 'http://admin.example.com', 'null']) {
      const res = await app.request('/data', { headers: { origin } });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('asks an async function, with the context, for each origin', async () => {
    const seen: string[] = [];
    const { app } = corsApp({
      origin: async (origin, ctx) => {
        seen.push(`${ctx.method} ${origin}`);
        return origin.endsWith('.partner.example');
      },
    });
    const ok = await app.request('/data', { headers: { origin: 'https://a.partner.example' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://a.partner.example');
    const no = await app.request('/data', { headers: { origin: EVIL_ORIGIN } });
    expect(no.headers.get('access-control-allow-origin')).toBeNull();
    const nullOrigin = await app.request('/data', { headers: { origin: 'null' } });
    expect(nullOrigin.headers.get('access-control-allow-origin')).toBeNull();
    expect(seen).toEqual(['GET https://a.partner.example', `GET ${EVIL_ORIGIN}`]);
  });

  it('accepts any origin of an array of strings and patterns, and only those', async () => {
    const { app } = corsApp({ origin: ['https://one.example', /^https:\/\/two\.example$/] });
    for (const origin of ['https://one.example', 'https://two.example']) {
      const res = await app.request('/data', { headers: { origin } });
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    }
    const other = await app.request('/data', { headers: { origin: 'https://three.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('exposes the listed response headers and sends max-age on preflights only', async () => {
    const { app } = corsApp({ origin: APP_ORIGIN, exposedHeaders: ['X-Request-Id'], maxAge: 600 });
    const res = await app.request('/data', { headers: { origin: APP_ORIGIN } });
    expect(res.headers.get('access-control-expose-headers')).toBe('X-Request-Id');
    expect(res.headers.get('x-request-id')).toBe('r-1');
    expect(res.headers.get('access-control-max-age')).toBeNull();
    const pre = await preflight(app, APP_ORIGIN);
    expect(pre.headers.get('access-control-max-age')).toBe('600');
  });

  it('adds the CORS headers to 404 and 500 error responses for an allowed origin', async () => {
    const { app } = corsApp({ origin: APP_ORIGIN, credentials: true });
    for (const [path, status] of [
      ['/missing', 404],
      ['/boom', 500],
    ] as const) {
      const res = await app.request(path, { headers: { origin: APP_ORIGIN } });
      expect(res.status).toBe(status);
      expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(res.headers.get('access-control-allow-credentials')).toBe('true');
      expect(res.headers.get('vary')).toBe('Origin');
    }
  });

  it('does not allow Origin: null unless "null" is listed literally', async () => {
    const strict = corsApp({ origin: [APP_ORIGIN, /.*/] });
    const refused = await strict.app.request('/data', { headers: { origin: 'null' } });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const listed = corsApp({ origin: [APP_ORIGIN, 'null'] });
    const allowed = await listed.app.request('/data', { headers: { origin: 'null' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('null');
  });

  it("refuses origin '*' with credentials at setup with a FrameworkError saying what to do", () => {
    let error: unknown;
    try {
      cors({ origin: '*', credentials: true });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FrameworkError);
    expect((error as FrameworkError).code).toBe('FW_ERR_CORS_OPTIONS');
    expect((error as FrameworkError).message).toContain("origin: ['https://app.example.com'], credentials: true");
    expect(() => cors({ origin: [APP_ORIGIN, '*'] })).toThrow(/cannot be one entry/);
    expect(() => cors({ origin: 'https://app.example.com/' })).toThrow(/"https:\/\/app.example.com"/);
    expect(() => cors({ origin: /example/g })).toThrow(/g or y flag/);
  });

  it("allows any origin with '*' (no credentials) without echoing it", async () => {
    const { app } = corsApp({ origin: '*' });
    const res = await app.request('/data', { headers: { origin: EVIL_ORIGIN } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('vary')).toBeNull();
  });

  it('opens nothing with no options, and nothing without the plugin', async () => {
    const { app } = corsApp({});
    const res = await app.request('/data', { headers: { origin: APP_ORIGIN } });
    expect(allowHeaders(res)).toEqual([]);
    const pre = await preflight(app, APP_ORIGIN);
    expect(allowHeaders(pre)).toEqual([]);
    const bare = createApp({ logger: false });
    bare.get('/data', () => ({}));
    expect(allowHeaders(await bare.request('/data', { headers: { origin: APP_ORIGIN } }))).toEqual([]);
  });
});

describe('cors() on a real socket', () => {
  const started: App[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((app) => app.stop()));
  });

  function rawRequest(port: number, payload: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let data = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk) => {
        data += chunk;
        if (data.includes('\r\n\r\n')) socket.end();
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(data));
      socket.write(payload);
    });
  }

  it('HD-07: 100 kB of whitespace in Access-Control-Request-Headers is answered within 2 s, and the server stays up', async () => {
    const app = createApp({ logger: false, server: { maxHeaderSize: 256 * 1024 } }).use(cors({ origin: APP_ORIGIN }));
    app.post('/items', () => ({ created: true }));
    const { port, url } = await app.start({ port: 0 });
    started.push(app);
    const began = performance.now();
    const response = await rawRequest(
      port,
      'OPTIONS /items HTTP/1.1\r\nHost: test\r\n' +
        `Origin: ${APP_ORIGIN}\r\nAccess-Control-Request-Method: POST\r\n` +
        `Access-Control-Request-Headers: x-a,${' '.repeat(100_000)},x-b\r\nConnection: close\r\n\r\n`,
    );
    expect(performance.now() - began).toBeLessThan(2000);
    expect(response.startsWith('HTTP/1.1 400')).toBe(true);
    const preflightOk = await fetch(`${url}/items`, {
      method: 'OPTIONS',
      headers: { origin: APP_ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(preflightOk.status).toBe(204);
    expect(preflightOk.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  });
});
