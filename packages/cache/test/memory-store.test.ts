import { describe, expect, it } from 'vitest';
import { MemoryCacheStore } from '../src/store/memory.ts';
import { sleep } from './helpers.ts';

const forever = { ttl: 0, tags: [], freshUntil: Number.POSITIVE_INFINITY } as const;
const value100 = 'x'.repeat(100);

describe('MemoryCacheStore', () => {
  it('stays within maxSize bytes however many entries arrive', () => {
    const store = new MemoryCacheStore({ maxSize: 20_000 });
    for (let i = 0; i < 5_000; i++) store.set(`key:${i}`, value100, forever);
    expect(store.size).toBeLessThanOrEqual(20_000);
    // Entries of ~200 bytes each (value, key, bookkeeping): about a hundred fit, not 5 000.
    expect(store.count).toBeGreaterThan(50);
    expect(store.count).toBeLessThan(150);
    expect(store.get('key:4999')?.value).toBe(value100);
    expect(store.get('key:0')).toBeUndefined();
    store.close();
  });

  it('bounds by bytes, not by entries: big values take more room than small ones', () => {
    const store = new MemoryCacheStore({ maxSize: 100_000 });
    for (let i = 0; i < 1_000; i++) store.set(`small:${i}`, i, forever);
    const small = store.count;
    store.clear('');
    for (let i = 0; i < 1_000; i++) store.set(`big:${i}`, 'y'.repeat(10_000), forever);
    expect(store.count).toBeLessThan(small / 10);
    store.close();
  });

  it('evicts the entries not read recently first', () => {
    const probe = new MemoryCacheStore();
    probe.set('old:10', value100, forever);
    // Room for exactly 20 entries like these.
    const store = new MemoryCacheStore({ maxSize: probe.size * 20 });
    probe.close();
    for (let i = 0; i < 20; i++) store.set(`old:${i}`, value100, forever);
    const count = store.count;
    expect(count).toBe(20);
    // Read the first half: they were set first, but used since.
    for (let i = 0; i < 10; i++) store.get(`old:${i}`);
    for (let i = 0; i < 10; i++) store.set(`new:${i}`, value100, forever);
    expect(store.count).toBeLessThanOrEqual(count);
    const survivors = Array.from({ length: 20 }, (_, i) => store.get(`old:${i}`) !== undefined);
    expect(survivors.slice(0, 10).every(Boolean)).toBe(true);
    expect(survivors.slice(10).some(Boolean)).toBe(false);
    store.close();
  });

  it('does not keep a value larger than the whole store, and drops the old one', () => {
    const store = new MemoryCacheStore({ maxSize: 1_000 });
    store.set('k', 'small', forever);
    store.set('k', 'z'.repeat(5_000), forever);
    expect(store.get('k')).toBeUndefined();
    expect(store.size).toBe(0);
    store.close();
  });

  it('forgets tags of evicted and replaced entries (no leak, no wrong invalidation)', () => {
    const store = new MemoryCacheStore({ maxSize: 2_000 });
    store.set('a', 1, { ...forever, tags: ['t'] });
    store.set('a', 2, forever);
    store.invalidateTags(['t']);
    expect(store.get('a')?.value).toBe(2);
    store.close();
  });

  it('sweeps expired entries it is never asked for', async () => {
    const store = new MemoryCacheStore({ sweepInterval: 20 });
    store.set('soon', value100, { ...forever, ttl: 10 });
    expect(store.count).toBe(1);
    await sleep(80);
    expect(store.count).toBe(0);
    expect(store.size).toBe(0);
    store.close();
  });

  it('refuses a maxSize that is not a size', () => {
    expect(() => new MemoryCacheStore({ maxSize: 'lots' })).toThrow(/'512KB' or '10MB'/);
    expect(() => new MemoryCacheStore({ maxSize: 0 })).toThrow(/at least 1 byte/);
  });

  it('forgets the oldest tag versions past 10 000, and a write that read a forgotten one is dropped', () => {
    const store = new MemoryCacheStore();
    const options = { ttl: 0, tags: ['notes'], freshUntil: Number.POSITIVE_INFINITY };
    const read = store.tagVersions(['notes']);
    store.invalidateTags(['notes']);
    // Ten thousand other tags invalidated since: 'notes' is forgotten, not back at its old version.
    for (let i = 0; i < 10_000; i++) store.invalidateTags([`tag:${i}`]);
    expect(store.tagVersions(['notes'])).not.toEqual(read);
    expect(store.set('notes', ['stale'], { ...options, versions: read })).toBe(false);
    expect(store.get('notes')).toBeUndefined();
    const now = store.tagVersions(['notes']);
    expect(store.set('notes', ['current'], { ...options, versions: now })).toBe(true);
    expect(store.get('notes')?.value).toEqual(['current']);
    store.close();
  });
});
