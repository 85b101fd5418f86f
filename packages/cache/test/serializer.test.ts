import { describe, expect, it } from 'vitest';
import { globToRegExp } from '../src/internal/glob.ts';
import { Codec } from '../src/serializer.ts';

const decode = async (codec: Codec, bytes: Buffer | string) => (await codec.decode(Buffer.from(bytes)))?.value;

describe('Codec', () => {
  it.each(['json', 'msgpack'] as const)('%s round-trips nested values with Dates, BigInts and bytes', async (name) => {
    const codec = new Codec(name);
    const value = { at: new Date(0), big: -(2n ** 64n), bytes: new Uint8Array([9, 8]), list: [{ deep: [null, true] }] };
    expect(await decode(codec, await codec.encode(value, Number.POSITIVE_INFINITY))).toEqual(value);
  });

  it('stores integers bare, so INCRBY and get agree on them', async () => {
    const codec = new Codec('json');
    expect(await codec.encode(42, Number.POSITIVE_INFINITY)).toBe('42');
    expect(await decode(codec, '-17')).toBe(-17);
  });

  it('compresses values above the threshold and reads them back', async () => {
    const codec = new Codec('json', { threshold: 100 });
    const value = { text: 'abc'.repeat(10_000) };
    const bytes = await codec.encode(value, Number.POSITIVE_INFINITY);
    expect(bytes.length).toBeLessThan(1_000);
    expect(await decode(codec, bytes)).toEqual(value);
    const small = await codec.encode({ a: 1 }, Number.POSITIVE_INFINITY);
    expect(small.toString()).toContain('"a":1');
  });

  it('keeps the fresh-until time of stale-while-revalidate entries', async () => {
    const codec = new Codec('msgpack', true);
    const decoded = await codec.decode(Buffer.from(await codec.encode(['x'], 1_800_000_000_000)));
    expect(decoded).toEqual({ value: ['x'], freshUntil: 1_800_000_000_000 });
  });

  it('reads bytes no cache wrote as a miss, not as garbage', async () => {
    const codec = new Codec('json');
    expect(await decode(codec, 'hello')).toBeUndefined();
    expect(await codec.decode(Buffer.alloc(0))).toBeUndefined();
  });

  it('refuses an unknown serializer and a negative threshold', () => {
    expect(() => new Codec('xml' as 'json')).toThrow(/'json' or 'msgpack'/);
    expect(() => new Codec('json', { threshold: -1 })).toThrow(/>= 0/);
  });
});

describe('globToRegExp (the memory store matches what SCAN MATCH matches)', () => {
  it.each([
    ['users:*', 'users:1', true],
    ['users:*', 'users', false],
    ['user?', 'users', true],
    ['user?', 'user', false],
    ['[ab]1', 'b1', true],
    ['[^ab]1', 'b1', false],
    ['[a-c]x', 'cx', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['a.b', 'axb', false],
    ['(x)+', '(x)+', true],
  ])('%s against %s → %s', (pattern, key, matches) => {
    expect(globToRegExp(pattern).test(key)).toBe(matches);
  });
});
