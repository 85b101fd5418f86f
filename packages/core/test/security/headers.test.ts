import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type App, createApp, FrameworkError } from '../../src/index.ts';

// Helmet 8's default set (security-cases.md, row 15), as every non-JSON response must carry it.
const HELMET_CSP =
  "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';" +
  "img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';" +
  'upgrade-insecure-requests';
const HELMET_SET: Record<string, string> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};
const JSON_CSP = "default-src 'none'; frame-ancestors 'none'";

function expectHelmet(headers: Headers): void {
  for (const [name, value] of Object.entries(HELMET_SET)) expect(headers.get(name), name).toBe(value);
  expect(headers.get('x-powered-by')).toBeNull();
}

const started: App[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((app) => app.stop()));
});

function demo(options: Parameters<typeof createApp>[0] = {}) {
  const app = createApp({ logger: false, ...options });
  app.get('/json', () => ({ ok: true }));
  app.get('/page', (ctx) => ctx.html('<h1>hi</h1>'));
  app.post('/echo', { schema: { body: z.object({ name: z.string() }) }, handler: (ctx) => ctx.body });
  app.get('/boom', () => {
    throw new Error('secret internals');
  });
  return app;
}

describe('security headers on by default', () => {
  it('puts helmet 8 headers and its CSP on an HTML response', async () => {
    const res = await demo().request('/page');
    expectHelmet(res.headers);
    expect(res.headers.get('content-security-policy')).toBe(HELMET_CSP);
    expect(res.headers.get('cache-control')).toBeNull();
  });

  it('adds the OWASP REST set to JSON responses: no-store and a CSP that allows nothing', async () => {
    const res = await demo().request('/json');
    expectHelmet(res.headers);
    expect(res.headers.get('content-security-policy')).toBe(JSON_CSP);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it.each([
    ['404', '/missing', 'GET', undefined, undefined],
    ['405', '/json', 'DELETE', undefined, undefined],
    ['415', '/echo', 'POST', 'text/plain', '{"name":"x"}'],
    ['400', '/echo', 'POST', 'application/json', '{"name":1}'],
    ['413', '/echo', 'POST', 'application/json', JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) })],
    ['500', '/boom', 'GET', undefined, undefined],
  ])('keeps them on a %s error answer (HD-05)', async (status, path, method, type, body) => {
    const res = await demo().request(path, {
      method,
      headers: type ? { 'content-type': type } : {},
      body,
    });
    expect(String(res.status)).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expectHelmet(res.headers);
    expect(res.headers.get('content-security-policy')).toBe(JSON_CSP);
  });

  it('keeps them on the 431 the node driver answers before any handler runs', async () => {
    const app = demo();
    const { port } = await app.start({ port: 0 });
    started.push(app);
    const headers = Array.from({ length: 150 }, (_, i) => `x-h${i}: v`).join('\r\n');
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let data = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk) => {
        data += chunk;
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(data));
      socket.write(`GET /json HTTP/1.1\r\nHost: x\r\n${headers}\r\n\r\n`);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer.toLowerCase()).toContain('x-content-type-options: nosniff');
    expect(answer.toLowerCase()).toContain('strict-transport-security: max-age=31536000; includesubdomains');
  });

  it('lets a header the app sets win over the default', async () => {
    const app = createApp({ logger: false });
    app.get('/', (ctx) => ctx.header('x-frame-options', 'DENY').header('cache-control', 'max-age=60').json({ a: 1 }));
    const res = await app.request('/');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('max-age=60');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('app.security()', () => {
  it('turns every header off with headers: false, and only then', async () => {
    const app = demo().security({ headers: false });
    for (const path of ['/json', '/page', '/missing']) {
      const res = await app.request(path);
      for (const name of [...Object.keys(HELMET_SET), 'content-security-policy']) {
        expect(res.headers.get(name), `${path} ${name}`).toBeNull();
      }
    }
  });

  it('takes the same options in createApp({ security })', async () => {
    const res = await demo({ security: { headers: false } }).request('/page');
    expect(res.headers.get('x-frame-options')).toBeNull();
  });

  it('adds and removes custom headers, by name in any case', async () => {
    const app = demo().security({
      customHeaders: { 'Permissions-Policy': 'camera=()', 'X-Frame-Options': 'DENY', 'X-XSS-Protection': false },
    });
    for (const path of ['/json', '/page']) {
      const res = await app.request(path);
      expect(res.headers.get('permissions-policy')).toBe('camera=()');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-xss-protection')).toBeNull();
    }
  });

  it('merges CSP directives over helmet defaults', async () => {
    const app = demo().security({ csp: { directives: { imgSrc: ["'self'", 'https://cdn.example'] } } });
    const csp = (await app.request('/page')).headers.get('content-security-policy');
    expect(csp).toContain("img-src 'self' https://cdn.example");
    expect(csp).toContain("object-src 'none'");
  });

  it('sends a report-only policy when asked', async () => {
    const app = demo().security({ csp: { reportOnly: true, directives: { reportUri: ['/csp'] } } });
    const res = await app.request('/page');
    expect(res.headers.get('content-security-policy')).toBeNull();
    expect(res.headers.get('content-security-policy-report-only')).toContain('report-uri /csp');
  });

  it('relaxes cross-origin loading in the relaxed preset', async () => {
    const res = await demo().security({ headers: 'relaxed' }).request('/page');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin-allow-popups');
    expect(res.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses invalid options at once, with a FrameworkError saying what is wrong', () => {
    const app = createApp({ logger: false });
    expect(() => app.security({ csp: { directives: { scriptSrc: ["'self'; report-uri evil"] } } })).toThrow(
      FrameworkError,
    );
  });
});

describe('CSP nonces', () => {
  function withNonce() {
    const app = createApp({ logger: false });
    app.security({ csp: { directives: { scriptSrc: ["'self'", "'nonce'"], styleSrc: ["'self'", "'nonce'"] } } });
    app.get('/page', (ctx) => ctx.html(`<script nonce="${ctx.nonce}">go()</script>`));
    app.get('/plain', (ctx) => ctx.html('<p>no scripts</p>'));
    app.get('/json', () => ({ ok: true }));
    return app;
  }

  it('puts the nonce the handler used into the CSP header, in every directive that asked for it', async () => {
    const res = await withNonce().request('/page');
    const nonce = /nonce="([^"]+)"/.exec(await res.text())?.[1];
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    const csp = res.headers.get('content-security-policy');
    expect(csp).toContain(`script-src 'self' 'nonce-${nonce}'`);
    expect(csp).toContain(`style-src 'self' 'nonce-${nonce}'`);
  });

  it('uses a new nonce for every request', async () => {
    const app = withNonce();
    const nonces = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const csp = (await app.request('/plain')).headers.get('content-security-policy') ?? '';
      nonces.add(/'nonce-([^']+)'/.exec(csp)?.[1] ?? 'missing');
    }
    expect(nonces.size).toBe(50);
    expect(nonces.has('missing')).toBe(false);
  });

  it('keeps JSON responses on the JSON policy, without a nonce', async () => {
    const res = await withNonce().request('/json');
    expect(res.headers.get('content-security-policy')).toBe(JSON_CSP);
  });
});
