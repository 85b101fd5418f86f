import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RateLimitStore } from './store.ts';

/**
 * One case of the store contract: `run` resolves when the store behaves, and throws an
 * `AssertionError` saying what went wrong otherwise.
 *
 * @example
 * ```ts
 * for (const { name, run } of storeContract(() => new MemoryRateLimitStore())) test(name, run);
 * ```
 */
export interface StoreContractCase {
  readonly name: string;
  readonly run: () => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The behaviour every `RateLimitStore` must have, as test cases independent of any test runner.
 * Each case makes a fresh store with `makeStore`, uses keys no other case uses (so stores sharing
 * one Redis database do not collide) and closes the store at the end. Waits are short and bounded
 * (windows of 500 ms, long enough for a loaded machine or a remote store).
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest';
 * import { storeContract } from '@framework/core';
 *
 * describe('RedisStore', () => {
 *   for (const { name, run } of storeContract(() => new RedisStore({ client }))) it(name, run);
 * });
 * ```
 */
export function storeContract(makeStore: () => RateLimitStore | Promise<RateLimitStore>): StoreContractCase[] {
  const withStore =
    (body: (store: RateLimitStore, key: (name: string) => string) => Promise<void>) => async (): Promise<void> => {
      const store = await makeStore();
      const prefix = `contract:${randomUUID()}:`;
      try {
        await body(store, (name) => prefix + name);
      } finally {
        await store.close?.();
      }
    };

  return [
    {
      name: 'counts hits in one window and keeps the window end of the first hit',
      run: withStore(async (store, key) => {
        const before = Date.now();
        const first = await store.increment(key('a'), 10_000);
        const second = await store.increment(key('a'), 10_000);
        const third = await store.increment(key('a'), 10_000);
        assert.deepEqual(
          [first.count, second.count, third.count],
          [1, 2, 3],
          'increment must count 1, 2, 3 within a window',
        );
        assert.ok(
          first.resetAt >= before + 9_000 && first.resetAt <= Date.now() + 10_000 + 50,
          `resetAt must be about now + windowMs, got ${first.resetAt - before} ms ahead`,
        );
        assert.ok(
          Math.abs(third.resetAt - first.resetAt) <= 50,
          'later hits in a window must not move its end (a sliding end would let no client ever recover)',
        );
      }),
    },
    {
      name: 'starts a new window at 1 once the window has passed',
      run: withStore(async (store, key) => {
        await store.increment(key('a'), 500);
        const before = await store.increment(key('a'), 500);
        assert.equal(before.count, 2);
        await sleep(550);
        const after = await store.increment(key('a'), 500);
        assert.equal(after.count, 1, 'the first hit after the window ends must start a new window at 1');
        assert.ok(after.resetAt > before.resetAt, 'the new window must end later than the old one');
      }),
    },
    {
      name: 'reset forgets the counter',
      run: withStore(async (store, key) => {
        await store.increment(key('a'), 10_000);
        await store.increment(key('a'), 10_000);
        await store.reset(key('a'));
        assert.equal((await store.increment(key('a'), 10_000)).count, 1, 'after reset the next hit counts 1');
        await store.reset(key('never-seen'));
      }),
    },
    {
      name: 'decrement takes one hit back and never goes below 0',
      run: withStore(async (store, key) => {
        await store.increment(key('a'), 10_000);
        await store.increment(key('a'), 10_000);
        await store.decrement(key('a'));
        assert.equal((await store.increment(key('a'), 10_000)).count, 2, 'decrement must take exactly one hit back');
        await store.decrement(key('a'));
        await store.decrement(key('a'));
        await store.decrement(key('a'));
        await store.decrement(key('a'));
        assert.equal((await store.increment(key('a'), 10_000)).count, 1, 'decrement must floor at 0');
        await store.decrement(key('absent'));
        assert.equal((await store.increment(key('absent'), 10_000)).count, 1, 'decrement on an absent key is a no-op');
      }),
    },
    {
      name: 'keys are independent',
      run: withStore(async (store, key) => {
        await store.increment(key('a'), 10_000);
        await store.increment(key('a'), 10_000);
        await store.increment(key('a'), 10_000);
        assert.equal((await store.increment(key('b'), 10_000)).count, 1, 'a hit on one key must not count on another');
        await store.reset(key('b'));
        assert.equal((await store.increment(key('a'), 10_000)).count, 4, 'resetting one key must not touch another');
      }),
    },
    {
      name: '200 concurrent increments on one key count 1..200, each exactly once (atomicity)',
      run: withStore(async (store, key) => {
        const results = await Promise.all(Array.from({ length: 200 }, () => store.increment(key('burst'), 10_000)));
        const counts = results.map((result) => result.count).sort((a, b) => a - b);
        assert.deepEqual(
          counts,
          Array.from({ length: 200 }, (_, index) => index + 1),
          'every concurrent increment must see its own count: a read-then-write store lets a burst through',
        );
      }),
    },
    {
      name: 'block marks a key until a time, keeps the longer block, and expires',
      run: withStore(async (store, key) => {
        assert.equal(await store.blockedUntil(key('a')), 0, 'a key never blocked is not blocked');
        const before = Date.now();
        await store.block(key('a'), 120);
        const until = await store.blockedUntil(key('a'));
        assert.ok(
          until >= before + 100 && until <= Date.now() + 120 + 50,
          `blockedUntil must be about now + ms, got ${until - before} ms ahead`,
        );
        await store.block(key('a'), 10);
        assert.ok((await store.blockedUntil(key('a'))) >= until - 5, 'a shorter block must not cut a longer one');
        assert.equal(await store.blockedUntil(key('b')), 0, 'blocks are per key');
        assert.equal((await store.increment(key('a'), 10_000)).count, 1, 'a block does not touch the counter');
        await sleep(170);
        assert.equal(await store.blockedUntil(key('a')), 0, 'a block must end after its time');
      }),
    },
    {
      name: 'reset lifts a block',
      run: withStore(async (store, key) => {
        await store.block(key('a'), 10_000);
        assert.ok((await store.blockedUntil(key('a'))) > Date.now());
        await store.reset(key('a'));
        assert.equal(await store.blockedUntil(key('a')), 0, 'reset must lift the block (the admin "unblock")');
      }),
    },
  ];
}
