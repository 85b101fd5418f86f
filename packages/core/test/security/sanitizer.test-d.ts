import { describe, expectTypeOf, it } from 'vitest';
import { createApp } from '../../src/create-app.ts';
import type { Reply } from '../../src/reply.ts';
import { type SanitizerFinding, type SanitizerReport, sanitizer } from '../../src/security/sanitizer.ts';

describe('sanitizer types', () => {
  it('types ctx.sanitizer on the app that use() returns', () => {
    const app = createApp().use(sanitizer({ mode: 'reject', targets: ['query', 'body'] }));
    app.get('/q', (ctx) => {
      expectTypeOf(ctx.sanitizer).toEqualTypeOf<SanitizerReport>();
      expectTypeOf(ctx.sanitizer.findings).toEqualTypeOf<readonly SanitizerFinding[]>();
      return null;
    });
    createApp().get('/q', (ctx) => {
      // @ts-expect-error without the plugin the context has no sanitizer
      ctx.sanitizer;
      return null;
    });
  });

  it('refuses unknown modes, targets and non-RegExp patterns', () => {
    // @ts-expect-error 'block' is not a mode
    sanitizer({ mode: 'block' });
    // @ts-expect-error 'cookies' is not a target
    sanitizer({ targets: ['cookies'] });
    // @ts-expect-error a pattern is a RegExp or false
    sanitizer({ patterns: { sql: 'SELECT' } });
  });
});

describe('redirect types', () => {
  it('takes a status, options, or both', () => {
    createApp().get('/r', (ctx) => {
      expectTypeOf(ctx.redirect('/a')).toEqualTypeOf<Reply>();
      expectTypeOf(ctx.redirect('https://x.example/', { allowExternal: true })).toEqualTypeOf<Reply>();
      expectTypeOf(ctx.redirect('https://x.example/', 303, { allowExternal: true })).toEqualTypeOf<Reply>();
      // @ts-expect-error 200 is not a redirect status
      return ctx.redirect('/a', 200);
    });
  });
});
