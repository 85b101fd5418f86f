import { describe, expect, it } from 'vitest';
import { cors, createApp, file, rateLimit, sanitizer, upload } from '../src/index.ts';

/** Options as JavaScript, JSON config or a spread object would pass them, past the type checks. */
function untyped<T>(options: Record<string, unknown>): T {
  return options as T;
}

describe('unknown option keys of core factories (issue 12)', () => {
  it('rateLimit() refuses "maxx", with "did you mean"', () => {
    expect(() => rateLimit(untyped({ window: '1m', maxx: 5 }))).toThrow(
      'rateLimit() has no option "maxx". Did you mean "max"?',
    );
  });

  it('rateLimit() checks per-route limits and the suspicious options', () => {
    expect(() => rateLimit({ routes: { 'POST /login': untyped({ mx: 5 }) } })).toThrow(
      `rateLimit({ routes: { 'POST /login' } }) has no option "mx". Did you mean "max"?`,
    );
    expect(() => rateLimit({ routes: { 'GET /health': false } })).not.toThrow();
    expect(() => rateLimit({ suspicious: untyped({ failedLogin: { max: 5 } }) })).toThrow(
      'rateLimit({ suspicious }) has no option "failedLogin". Did you mean "failedLogins"?',
    );
    expect(() => rateLimit({ suspicious: { failedLogins: untyped({ max: 5, windw: '5m' }) } })).toThrow(
      'rateLimit({ suspicious: { failedLogins } }) has no option "windw". Did you mean "window"?',
    );
    expect(() => rateLimit({ suspicious: { rapidRequests: untyped({ threshhold: 5 }) } })).toThrow(
      'Did you mean "threshold"?',
    );
    expect(() => rateLimit({ suspicious: { scanningBehavior: untyped({ indicator: [] }) } })).toThrow(
      'Did you mean "indicators"?',
    );
  });

  it('cors() refuses "origins"', () => {
    expect(() => cors(untyped({ origins: ['https://a.example'] }))).toThrow(
      'cors() has no option "origins". Did you mean "origin"?',
    );
  });

  it('createApp({ csrf }) and app.csrf() refuse unknown keys, nested cookie options included', () => {
    expect(() => createApp({ logger: false, csrf: untyped({ exlude: ['/webhook/*'] }) })).toThrow(
      'createApp({ csrf }) has no option "exlude". Did you mean "exclude"?',
    );
    expect(() => createApp({ logger: false }).csrf(untyped({ headerFeild: 'x-token' }))).toThrow(
      'app.csrf() has no option "headerFeild". Did you mean "headerField"?',
    );
    expect(() => createApp({ logger: false, csrf: { cookie: untyped({ samesite: 'lax' }) } })).toThrow(
      'createApp({ csrf }) cookie has no option "samesite". Did you mean "sameSite"?',
    );
  });

  it('sanitizer() refuses "mdoe" when it is registered', () => {
    expect(() => createApp({ logger: false }).use(sanitizer(untyped({ mdoe: 'reject' })))).toThrow(
      'sanitizer() has no option "mdoe". Did you mean "mode"?',
    );
  });

  it('createApp({ security }) and app.security() refuse unknown keys', () => {
    expect(() => createApp({ logger: false, security: untyped({ header: false }) })).toThrow(
      'has no option "header". Did you mean "headers"?',
    );
    expect(() => createApp({ logger: false }).security(untyped({ customHeader: {} }))).toThrow(
      'Did you mean "customHeaders"?',
    );
    expect(() => createApp({ logger: false, security: { csp: untyped({ directive: {} }) } })).toThrow(
      'security csp has no option "directive". Did you mean "directives"?',
    );
  });

  it('upload() and file() refuse unknown keys', () => {
    expect(() => file(untyped({ maxsize: '1MB' }))).toThrow('file() has no option "maxsize". Did you mean "maxSize"?');
    expect(() => file(untyped({ image: { maxPixel: 10 } }))).toThrow(
      'file({ image }) has no option "maxPixel". Did you mean "maxPixels"?',
    );
    expect(() => upload(untyped({ files: { a: file() }, field: {} }))).toThrow(
      'upload() has no option "field". Did you mean "fields"?',
    );
    expect(() => upload({ files: { a: file() }, limits: untyped({ file: 2 }) })).toThrow(
      'upload({ limits }) has no option "file". Did you mean "files"?',
    );
  });

  it('route config keys: "did you mean" for core keys too', async () => {
    const app = createApp({ logger: false });
    app.get('/a', untyped({ middleware: [], handler: () => 'ok' }));
    await expect(app.ready()).rejects.toThrow(
      'Route GET /a sets "middleware", but no registered plugin provides that option. Did you mean "middlewares"?',
    );
    const other = createApp({ logger: false });
    other.get('/b', untyped({ hanlder: () => 'x', handler: () => 'ok' }));
    await expect(other.ready()).rejects.toThrow('Did you mean "handler"?');
  });

  it('accepts every documented key', () => {
    expect(() =>
      rateLimit({
        window: '1m',
        max: 5,
        routes: { 'POST /login': { max: 1, window: '1m' } },
        suspicious: { failedLogins: { max: 3 }, rapidRequests: { threshold: 50 }, scanningBehavior: { threshold: 5 } },
      }),
    ).not.toThrow();
    expect(() => cors({ origin: 'https://a.example', credentials: true, maxAge: 60 })).not.toThrow();
    expect(() =>
      createApp({
        logger: false,
        csrf: { exclude: ['/x'], cookie: { sameSite: 'lax' } },
        security: { headers: 'relaxed' },
      }),
    ).not.toThrow();
  });
});
