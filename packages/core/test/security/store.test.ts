import { afterEach, describe, expect, it } from 'vitest';
import { MemoryRateLimitStore } from '../../src/security/store.ts';
import { storeContract } from '../../src/security/store-contract.ts';

describe('MemoryRateLimitStore: the rate-limit store contract', () => {
  for (const { name, run } of storeContract(() => new MemoryRateLimitStore())) it(name, run);
});

describe('storeContract catches broken stores', () => {
  // A store that reads, awaits, then writes: the classic INCR/EXPIRE-style race the contract exists for.
  class RacyStore extends MemoryRateLimitStore {
    private readonly counts = new Map<string, number>();
    override async increment(key: string, windowMs: number) {
      const current = this.counts.get(key) ?? 0;
      await new Promise((resolve) => setImmediate(resolve));
      this.counts.set(key, current + 1);
      return { count: current + 1, resetAt: Date.now() + windowMs };
    }
  }

  it('fails the atomicity case for a read-then-write store', async () => {
    const atomicity = storeContract(() => new RacyStore()).find((item) => item.name.includes('atomicity'));
    expect(atomicity).toBeDefined();
    await expect(atomicity!.run()).rejects.toThrow(/concurrent increment/);
  });
});

describe('MemoryRateLimitStore bounds', () => {
  const stores: MemoryRateLimitStore[] = [];
  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
  });

  it('holds at most maxKeys (default 100 000) counters under a flood of 200 000 distinct keys', async () => {
    const store = new MemoryRateLimitStore();
    stores.push(store);
    expect(store.maxKeys).toBe(100_000);
    for (let i = 0; i < 200_000; i++) await store.increment(`flood:${i}`, 60_000);
    expect(store.size).toBeLessThanOrEqual(100_000);
    // The newest keys are still counted; the oldest were dropped first.
    expect((await store.increment('flood:199999', 60_000)).count).toBe(2);
    expect((await store.increment('flood:0', 60_000)).count).toBe(1);
  });

  it('bounds blocks the same way', async () => {
    const store = new MemoryRateLimitStore({ maxKeys: 100 });
    stores.push(store);
    for (let i = 0; i < 1_000; i++) await store.block(`client:${i}`, 60_000);
    expect(store.size).toBeLessThanOrEqual(100);
    expect(await store.blockedUntil('client:999')).toBeGreaterThan(Date.now());
  });

  it('sweeps expired entries on its timer without any further calls', async () => {
    const store = new MemoryRateLimitStore({ sweepInterval: 20 });
    stores.push(store);
    for (let i = 0; i < 1_000; i++) await store.increment(`short:${i}`, 30);
    await store.block('blocked', 30);
    expect(store.size).toBe(1_001);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(store.size).toBe(0);
  });

  it('rejects a maxKeys that would make it unbounded or empty', () => {
    expect(() => new MemoryRateLimitStore({ maxKeys: 0 })).toThrow(/maxKeys must be a positive integer/);
    expect(() => new MemoryRateLimitStore({ maxKeys: Number.POSITIVE_INFINITY })).toThrow(/maxKeys/);
  });
});
