import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/create-app.ts';
import type { Logger } from '../../src/logger.ts';
import { definePlugin } from '../../src/plugin.ts';
import { DEFAULT_SANITIZER_PATTERNS, type SanitizerOptions, sanitizer } from '../../src/security/sanitizer.ts';
import { readJson } from '../helpers.ts';

function recordingLogger(): { logger: Logger; warnings: Array<{ message: string; fields: unknown }> } {
  const warnings: Array<{ message: string; fields: unknown }> = [];
  return {
    warnings,
    logger: { debug() {}, info() {}, warn: (fields, message) => warnings.push({ message, fields }), error() {} },
  };
}

function appWith(options: SanitizerOptions, logger?: Logger) {
  const app = createApp({ logger: logger ?? false }).use(sanitizer(options));
  const seen: unknown[] = [];
  app.get('/search', (ctx) => {
    seen.push(ctx.query.q);
    return { q: ctx.query.q ?? null, findings: ctx.sanitizer.findings, flagged: ctx.sanitizer.flagged };
  });
  app.post('/users/:id', (ctx) => {
    seen.push(ctx.body);
    return { body: ctx.body, id: ctx.params.id, findings: ctx.sanitizer.findings.map((f) => f.field) };
  });
  return { app, seen };
}

const post = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('sanitizer: detect mode', () => {
  it('flags SQL-looking input in ctx.sanitizer and logs one truncated warning line', async () => {
    const { logger, warnings } = recordingLogger();
    const { app } = appWith({ logger });
    const attack = `1' OR '1'='1' UNION SELECT password FROM users --${'x'.repeat(500)}`;
    const res = await app.request(`/search?q=${encodeURIComponent(attack)}`);
    expect(res.status).toBe(200);
    const body = await readJson(res);
    expect(body.flagged).toBe(true);
    expect(body.findings).toEqual([{ target: 'query', field: 'query.q', pattern: 'sql', sample: attack.slice(0, 64) }]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toBe('sanitizer: suspicious input');
    const logged = JSON.stringify(warnings[0]!.fields);
    expect(logged).toContain('query.q');
    expect(logged).not.toContain('x'.repeat(100));
  });

  it('never rewrites the data: the handler sees exactly what was sent', async () => {
    const { app, seen } = appWith({});
    const input = { name: "O'Brien <script>alert(1)</script>", filter: { $gt: '' }, path: '../../etc/passwd' };
    const res = await app.request('/users/1', post(input));
    const body = await readJson(res);
    expect(body.body).toEqual(input);
    expect(seen).toEqual([input]);
    expect(body.findings).toEqual(['body.name', 'body.filter.$gt', 'body.path']);
  });

  it('leaves ordinary input alone, including names with apostrophes', async () => {
    const { logger, warnings } = recordingLogger();
    const { app } = appWith({ logger });
    for (const q of ["O'Brien", 'Select a file from the list', 'rock & roll', 'price $5', 'a.b/c.d', 'online=yes']) {
      const body = await readJson(await app.request(`/search?q=${encodeURIComponent(q)}`));
      expect(body.flagged, q).toBe(false);
    }
    expect(warnings).toEqual([]);
  });

  it("calls ctx.rateLimit.flag('injection') when a rate limiter provides it", async () => {
    const flags: string[] = [];
    const limiter = definePlugin({
      name: 'fake-rate-limit',
      setup: () => ({ context: { rateLimit: () => ({ flag: (reason: string) => flags.push(reason) }) } }),
    });
    const app = createApp({ logger: false }).use(limiter()).use(sanitizer());
    app.get('/search', (ctx) => ({ q: ctx.query.q }));
    await app.request('/search?q=ok');
    expect(flags).toEqual([]);
    await app.request(`/search?q=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(flags).toEqual(['injection']);
  });
});

describe('sanitizer: reject mode', () => {
  it('answers 400 problem+json naming the field, and the handler never runs', async () => {
    const { app, seen } = appWith({ mode: 'reject' });
    const res = await app.request('/users/1', post({ profile: { bio: '<img src=x onerror=alert(1)>' } }));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = await readJson(res);
    expect(problem).toMatchObject({ code: 'FW_ERR_SUSPICIOUS_INPUT', field: 'body.profile.bio', pattern: 'xss' });
    expect(seen).toEqual([]);
  });

  it('refuses NoSQL operators, path traversal and route params, lets clean requests through', async () => {
    const { app, seen } = appWith({ mode: 'reject' });
    expect((await app.request('/search?user[$ne]=1')).status).toBe(400);
    expect((await app.request(`/search?q=${encodeURIComponent('../../etc/passwd')}`)).status).toBe(400);
    expect((await app.request('/users/1%20OR%201=1', post({}))).status).toBe(400);
    expect((await app.request('/search?q=cats')).status).toBe(200);
    expect(seen).toEqual(['cats']);
  });

  it('scans headers only when asked to', async () => {
    const headers = { 'x-note': '<script>alert(1)</script>' };
    const { app } = appWith({ mode: 'reject' });
    expect((await app.request('/search', { headers })).status).toBe(200);
    const { app: strict } = appWith({ mode: 'reject', targets: ['headers'] });
    expect((await strict.request('/search', { headers })).status).toBe(400);
  });
});

describe('sanitizer: options and bounds', () => {
  it('scans nothing in off mode', async () => {
    const { app } = appWith({ mode: 'off' });
    const body = await readJson(await app.request(`/search?q=${encodeURIComponent("' OR 1=1 --")}`));
    expect(body).toMatchObject({ flagged: false, findings: [] });
  });

  it('takes extra patterns and removes defaults with false; global regexes do not carry state', async () => {
    const { app } = appWith({ mode: 'reject', patterns: { sql: false, ssti: /\{\{[^}]{0,64}\}\}/g } });
    expect((await app.request(`/search?q=${encodeURIComponent('DROP TABLE users')}`)).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      expect((await app.request(`/search?q=${encodeURIComponent('{{7*7}}')}`)).status).toBe(400);
    }
  });

  it('scans only the first maxScanLength characters of a value, and a huge body in bounded time', async () => {
    const { app } = appWith({ maxScanLength: 100 });
    const late = `${'a'.repeat(200)}<script>`;
    expect((await readJson(await app.request(`/search?q=${late}`))).flagged).toBe(false);
    const started = Date.now();
    const big = Array.from({ length: 10_000 }, (_, i) => ({ name: `user ${i} ${'(a'.repeat(20)}` }));
    const res = await app.request('/users/1', post(big));
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('ships linear default patterns that match the classic payloads', () => {
    expect(DEFAULT_SANITIZER_PATTERNS.sql.test('1; DROP TABLE users')).toBe(true);
    expect(DEFAULT_SANITIZER_PATTERNS.sql.test("admin'--")).toBe(true);
    expect(DEFAULT_SANITIZER_PATTERNS.xss.test('javascript:alert(1)')).toBe(true);
    expect(DEFAULT_SANITIZER_PATTERNS.pathTraversal.test('..\\..\\win.ini')).toBe(true);
    expect(DEFAULT_SANITIZER_PATTERNS.noSql.test('$where')).toBe(true);
    // A pathological input for backtracking regexes is scanned in bounded time.
    const started = Date.now();
    const evil = `select ${'a,'.repeat(2000)}`;
    for (const pattern of Object.values(DEFAULT_SANITIZER_PATTERNS)) pattern.test(evil);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
