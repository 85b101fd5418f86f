import { promisify } from 'node:util';
import { deflateRaw, deflateRawSync, inflateRaw, inflateRawSync } from 'node:zlib';
import { Packr } from 'msgpackr';
import { CacheError } from './errors.ts';

/**
 * How values are turned into bytes for a store that keeps bytes (Redis): `json` (the default) or
 * `msgpack` (through msgpackr: smaller and faster for large objects).
 *
 * Both round-trip `Date`, `bigint` and `Uint8Array` (a `Buffer` comes back as a `Uint8Array`).
 * JSON refuses what it cannot represent (functions, symbols, class instances other than those)
 * with a `CacheError` when the value is set, instead of storing something that reads back different.
 *
 * @example
 * ```ts
 * createCache({ store: 'redis', serializer: 'msgpack', compress: { threshold: 4096 } });
 * ```
 */
export type SerializerName = 'json' | 'msgpack';

/**
 * Compression of stored values: `true` deflates values above 1 KiB; `{ threshold }` sets the size.
 *
 * @example
 * ```ts
 * createCache({ compress: { threshold: 8 * 1024 } });
 * ```
 */
export type CompressOption = boolean | { threshold?: number };

// The first byte of a stored value says how to read the rest. Values below 0x20 never start a
// decimal integer, which is how counters (INCRBY) and integers are stored, bare, so that
// `increment` works on a key that `set` wrote and `get` reads what `increment` wrote.
const PLAIN_JSON = 0x01;
const TAGGED_JSON = 0x02;
const MSGPACK = 0x03;
const COMPRESSED = 0x08;
const HAS_FRESH_UNTIL = 0x10;

const TAG = '$fw';
// Values above this many bytes are compressed off the event loop (zlib's thread pool).
const ASYNC_COMPRESS_ABOVE = 64 * 1024;
const deflateAsync = promisify(deflateRaw);
const inflateAsync = promisify(inflateRaw);

/** A value read back from bytes, with the time it stops being fresh (stale-while-revalidate). */
export interface Decoded {
  value: unknown;
  freshUntil: number;
}

/**
 * Turns values into the bytes a Redis store keeps, and back.
 *
 * @example
 * ```ts
 * const codec = new Codec('json', false);
 * const bytes = await codec.encode({ at: new Date() }, Infinity);
 * (await codec.decode(bytes))?.value; // { at: Date }
 * ```
 */
export class Codec {
  readonly serializer: SerializerName;
  readonly threshold: number;
  private readonly packr = new Packr({ useRecords: false, moreTypes: true, int64AsType: 'bigint' });

  constructor(serializer: SerializerName = 'json', compress: CompressOption = false) {
    if (serializer !== 'json' && serializer !== 'msgpack') {
      throw new CacheError(
        'FW_CACHE_CONFIG',
        `Unknown serializer ${JSON.stringify(serializer)}; use 'json' or 'msgpack'.`,
      );
    }
    this.serializer = serializer;
    this.threshold =
      compress === false ? Number.POSITIVE_INFINITY : compress === true ? 1024 : (compress.threshold ?? 1024);
    if (!(this.threshold >= 0)) {
      throw new CacheError(
        'FW_CACHE_CONFIG',
        `compress.threshold must be a number of bytes >= 0, got ${this.threshold}.`,
      );
    }
  }

  /** Bytes for `value`; `freshUntil` (epoch ms) is kept when finite. Integers are stored bare. */
  async encode(value: unknown, freshUntil: number): Promise<Buffer | string> {
    if (Number.isSafeInteger(value) && freshUntil === Number.POSITIVE_INFINITY) return String(value);
    let flags: number;
    let body: Buffer;
    if (this.serializer === 'msgpack') {
      flags = MSGPACK;
      body = this.packr.pack(value);
    } else {
      const tagged = { found: false };
      const text = toJson(value, tagged);
      flags = tagged.found ? TAGGED_JSON : PLAIN_JSON;
      body = Buffer.from(text, 'utf8');
    }
    if (body.length > this.threshold) {
      flags |= COMPRESSED;
      body = body.length > ASYNC_COMPRESS_ABOVE ? await deflateAsync(body) : deflateRawSync(body);
    }
    const hasFresh = freshUntil !== Number.POSITIVE_INFINITY;
    const header = Buffer.allocUnsafe(hasFresh ? 9 : 1);
    header[0] = flags | (hasFresh ? HAS_FRESH_UNTIL : 0);
    if (hasFresh) header.writeDoubleBE(freshUntil, 1);
    return Buffer.concat([header, body]);
  }

  /** The value `encode` was given, or a bare integer; `undefined` for bytes no cache wrote. */
  decode(bytes: Buffer): Decoded | Promise<Decoded> | undefined {
    if (bytes.length === 0) return undefined;
    const flags = bytes[0]!;
    if (flags >= 0x20) {
      const text = bytes.toString('latin1');
      const number = Number(text);
      return Number.isInteger(number) ? { value: number, freshUntil: Number.POSITIVE_INFINITY } : undefined;
    }
    // The hit path of a plain JSON value: no subarray, one string, one parse.
    if (flags === PLAIN_JSON)
      return { value: JSON.parse(bytes.toString('utf8', 1)), freshUntil: Number.POSITIVE_INFINITY };
    const start = flags & HAS_FRESH_UNTIL ? 9 : 1;
    const freshUntil = start === 9 ? bytes.readDoubleBE(1) : Number.POSITIVE_INFINITY;
    const body = bytes.subarray(start);
    if (flags & COMPRESSED) {
      if (body.length > ASYNC_COMPRESS_ABOVE / 4) {
        return inflateAsync(body).then((raw) => ({ value: this.parse(flags, raw), freshUntil }));
      }
      return { value: this.parse(flags, inflateRawSync(body)), freshUntil };
    }
    return { value: this.parse(flags, body), freshUntil };
  }

  private parse(flags: number, body: Buffer): unknown {
    switch (flags & 0x07) {
      case PLAIN_JSON:
        return JSON.parse(body.toString('utf8'));
      case TAGGED_JSON:
        return JSON.parse(body.toString('utf8'), revive);
      case MSGPACK:
        return this.packr.unpack(body);
      default:
        return undefined;
    }
  }
}

/**
 * JSON text for `value`, with `Date`, `bigint` and `Uint8Array` written as tagged objects
 * (`{"$fw":"date","v":"..."}`) so they read back as what they were.
 */
function toJson(value: unknown, tagged: { found: boolean }): string {
  if (value === undefined) {
    throw new CacheError(
      'FW_CACHE_UNSERIALIZABLE',
      'Cannot cache undefined: a miss already reads as undefined; store null instead.',
    );
  }
  return JSON.stringify(value, function replacer(this: Record<string, unknown>, key: string, current: unknown) {
    // `current` has been through toJSON already (a Date is a string by now): look at the original.
    const original = this[key];
    switch (typeof original) {
      case 'bigint':
        tagged.found = true;
        return { [TAG]: 'bigint', v: original.toString() };
      case 'function':
      case 'symbol':
        throw unserializable(key, typeof original);
      case 'object':
        if (original === null) return null;
        if (original instanceof Date) {
          tagged.found = true;
          return { [TAG]: 'date', v: Number.isNaN(original.getTime()) ? null : original.toISOString() };
        }
        if (original instanceof Uint8Array) {
          tagged.found = true;
          return {
            [TAG]: 'bytes',
            v: Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64'),
          };
        }
        if (original instanceof Map || original instanceof Set) throw unserializable(key, original.constructor.name);
        if (Object.hasOwn(original, TAG) && current === original) {
          // A user object that happens to have our tag key: wrap it so it is not read as a tag.
          tagged.found = true;
          return { [TAG]: 'object', v: Object.entries(original) };
        }
        return current;
      default:
        return current;
    }
  });
}

function unserializable(key: string, kind: string): CacheError {
  const where = key === '' ? 'the value' : `property ${JSON.stringify(key)}`;
  return new CacheError(
    'FW_CACHE_UNSERIALIZABLE',
    `Cannot cache ${where}: a ${kind} does not survive JSON. Convert it first (a Map to an object or an array of entries), or use serializer: 'msgpack'.`,
  );
}

function revive(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !(TAG in value)) return value;
  const { [TAG]: kind, v } = value as { [TAG]: unknown; v: unknown };
  switch (kind) {
    case 'date':
      return new Date(typeof v === 'string' ? v : Number.NaN);
    case 'bigint':
      return BigInt(String(v));
    case 'bytes':
      return new Uint8Array(Buffer.from(String(v), 'base64'));
    case 'object':
      return Array.isArray(v) ? Object.fromEntries(v) : value;
    default:
      return value;
  }
}
