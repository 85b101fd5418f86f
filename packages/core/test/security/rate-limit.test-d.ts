import { expectTypeOf, test } from 'vitest';
import { createApp } from '../../src/create-app.ts';
import { rateLimit } from '../../src/security/rate-limit.ts';
import type { RateLimitStore } from '../../src/security/store.ts';

test('rateLimit() types ctx.rateLimit and app.rateLimit', () => {
  const app = createApp().use(rateLimit({ max: 5, window: '15m' }));
  expectTypeOf(app.rateLimit.stats.storeErrors).toEqualTypeOf<number>();
  expectTypeOf(app.rateLimit.store).toEqualTypeOf<RateLimitStore>();
  app.post('/login', async (ctx) => {
    expectTypeOf(ctx.rateLimit.fail).parameter(0).toEqualTypeOf<{ key?: string } | undefined>();
    await ctx.rateLimit.check({ key: 'a@example.com', challengePassed: true });
    // @ts-expect-error an account key is a string (an email or a user name), not a number
    await ctx.rateLimit.fail({ key: 42 });
    // @ts-expect-error flag() needs a reason for the log
    await ctx.rateLimit.flag();
    return { ok: true };
  });
});

test('without the plugin there is no ctx.rateLimit', () => {
  createApp().get('/', (ctx) => {
    // @ts-expect-error rateLimit is added by app.use(rateLimit()), which this app does not register
    return ctx.rateLimit;
  });
});

test('options are checked', () => {
  // @ts-expect-error a window is a duration such as '15m' or a number of milliseconds
  rateLimit({ window: '15 minutes' });
  // @ts-expect-error failedLogins actions are 'block', 'throttle' or 'captcha'
  rateLimit({ suspicious: { failedLogins: { action: 'ban' } } });
  // @ts-expect-error scanning only blocks
  rateLimit({ suspicious: { scanningBehavior: { action: 'throttle' } } });
});
