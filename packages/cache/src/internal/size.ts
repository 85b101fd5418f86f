// Deeper than this the walk stops counting (and a cyclic value cannot loop it forever).
const MAX_DEPTH = 32;

/**
 * About how many bytes `value` takes: roughly its JSON length (strings by their length, numbers as
 * 8 bytes, binary by its byte length), plus a small constant per object. Cheap enough to run on
 * every `set`; the memory store bounds itself by the sum.
 */
export function sizeOf(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
    case 'bigint':
      return 8;
    case 'boolean':
      return 4;
    case 'object': {
      if (value === null) return 4;
      if (depth >= MAX_DEPTH) return 16;
      if (ArrayBuffer.isView(value)) return value.byteLength + 16;
      if (value instanceof Date) return 24;
      let size = 16;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) size += sizeOf(value[i], depth + 1) + 1;
        return size;
      }
      if (value instanceof Map) {
        for (const [key, item] of value) size += sizeOf(key, depth + 1) + sizeOf(item, depth + 1) + 2;
        return size;
      }
      if (value instanceof Set) {
        for (const item of value) size += sizeOf(item, depth + 1) + 1;
        return size;
      }
      for (const key in value) {
        if (Object.hasOwn(value, key))
          size += key.length + 4 + sizeOf((value as Record<string, unknown>)[key], depth + 1);
      }
      return size;
    }
    default:
      return 8;
  }
}
