import { rename, stat, unlink } from 'node:fs/promises';
import { FrameworkError, HttpError, isFrameworkError } from '../errors.ts';

/**
 * Checks and re-encoding for image uploads: a file that claims to be an image must decode as one,
 * and is re-encoded so that anything hidden after or inside the pixels (scripts, polyglots) is dropped.
 *
 * @example
 * ```ts
 * file({ image: { maxDimensions: { width: 4000, height: 4000 }, stripMetadata: true, convertFormat: 'webp' } });
 * ```
 */
export interface ImageOptions {
  /** Largest width and height; the header is read before anything is decoded. */
  maxDimensions?: { width: number; height: number };
  /** Largest width × height. Default 40 000 000 (also passed to sharp as `limitInputPixels`). */
  maxPixels?: number;
  /** Re-encode the image so EXIF, GPS and other metadata are dropped (needs sharp). Default false. */
  stripMetadata?: boolean;
  /** Re-encode to this format (needs sharp). */
  convertFormat?: 'jpeg' | 'png' | 'webp' | 'avif';
}

/** The image types the framework reads headers of and re-encodes. */
export const RASTER_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

const DEFAULT_MAX_PIXELS = 40_000_000;

export interface Dimensions {
  width: number;
  height: number;
}

function u16be(b: Uint8Array, i: number): number {
  return (b[i]! << 8) | b[i + 1]!;
}
function u16le(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8);
}
function u24le(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
}
function u32be(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) >>> 0) + ((b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!);
}
function tag(b: Uint8Array, i: number): string {
  return String.fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!);
}

function jpegSize(b: Uint8Array): Dimensions | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: u16be(b, i + 5), width: u16be(b, i + 7) };
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    i += 2 + u16be(b, i + 2);
  }
  return undefined;
}

/**
 * Width and height from an image's header bytes alone (PNG, GIF, WebP, and JPEG when its frame
 * header is within `head`), without decoding. `undefined` when the header does not say.
 *
 * @example
 * ```ts
 * const head = await readFirstBytes(path, 65536);
 * headerDimensions(head, 'image/png'); // { width: 800, height: 600 }
 * ```
 */
export function headerDimensions(head: Uint8Array, type: string): Dimensions | undefined {
  switch (type) {
    case 'image/png':
      return head.length >= 24 && tag(head, 12) === 'IHDR'
        ? { width: u32be(head, 16), height: u32be(head, 20) }
        : undefined;
    case 'image/gif':
      return head.length >= 10 ? { width: u16le(head, 6), height: u16le(head, 8) } : undefined;
    case 'image/webp': {
      if (head.length < 30) return undefined;
      const chunk = tag(head, 12);
      if (chunk === 'VP8 ') return { width: u16le(head, 26) & 0x3fff, height: u16le(head, 28) & 0x3fff };
      if (chunk === 'VP8L') {
        const b1 = head[22]!;
        const b2 = head[23]!;
        const b3 = head[24]!;
        return {
          width: 1 + (((b1 & 0x3f) << 8) | head[21]!),
          height: 1 + (((b3 & 0x0f) << 10) | (b2 << 2) | ((b1 & 0xc0) >> 6)),
        };
      }
      if (chunk === 'VP8X') return { width: 1 + u24le(head, 24), height: 1 + u24le(head, 27) };
      return undefined;
    }
    case 'image/jpeg':
      return jpegSize(head);
    default:
      return undefined;
  }
}

type SharpModule = typeof import('sharp');
let sharpLoading: Promise<SharpModule> | undefined;

/** Loads sharp, the optional peer dependency, on first use. */
export function loadSharp(): Promise<SharpModule> {
  sharpLoading ??= import('sharp').then(
    (mod) => mod.default,
    (cause: unknown) => {
      sharpLoading = undefined;
      throw new FrameworkError(
        'FW_ERR_UPLOAD_SHARP_MISSING',
        `Image re-encoding and JPEG size checks need sharp, which could not be loaded (${cause instanceof Error ? cause.message : String(cause)}). Run \`npm install sharp\`, or remove the image option.`,
      );
    },
  );
  return sharpLoading;
}

function tooLarge(size: Dimensions, why: string): HttpError {
  return new HttpError(422, `The image is ${size.width}×${size.height} pixels, ${why}; send a smaller image.`, {
    code: 'FW_ERR_IMAGE_TOO_LARGE',
    details: { width: size.width, height: size.height },
  });
}

function checkSize(size: Dimensions, options: ImageOptions, maxPixels: number): void {
  const max = options.maxDimensions;
  if (max !== undefined && (size.width > max.width || size.height > max.height)) {
    throw tooLarge(size, `more than the ${max.width}×${max.height} allowed`);
  }
  if (size.width * size.height > maxPixels) throw tooLarge(size, `more than the ${maxPixels} pixels allowed`);
}

/**
 * Checks an image's size from its header (refusing a pixel flood before decoding), then re-encodes
 * it with sharp when asked to strip metadata or convert. Returns the new path, type, size and dimensions.
 */
export async function processImage(
  path: string,
  head: Uint8Array,
  type: string,
  options: ImageOptions,
): Promise<{ path: string; type: string; size: number | undefined; dimensions: Dimensions }> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  let size = headerDimensions(head, type);
  if (size !== undefined) checkSize(size, options, maxPixels);
  const reencode = options.stripMetadata === true || options.convertFormat !== undefined;
  if (size !== undefined && !reencode) return { path, type, size: undefined, dimensions: size };
  const sharp = await loadSharp();
  const input = { limitInputPixels: maxPixels, failOn: 'error' } as const;
  try {
    if (size === undefined) {
      const meta = await sharp(path, input).metadata();
      size = { width: meta.width ?? 0, height: meta.height ?? 0 };
      checkSize(size, options, maxPixels);
    }
    if (!reencode) return { path, type, size: undefined, dimensions: size };
    const format = options.convertFormat ?? (type.slice('image/'.length) as 'jpeg' | 'png' | 'gif' | 'webp');
    const output = `${path}.out`;
    // rotate() applies the EXIF orientation first, since the metadata (EXIF included) is not written out.
    const info = await sharp(path, input).rotate().toFormat(format).toFile(output);
    await unlink(path);
    await rename(output, path);
    const stored = await stat(path);
    return {
      path,
      type: `image/${info.format}`,
      size: stored.size,
      dimensions: { width: info.width, height: info.height },
    };
  } catch (error) {
    if (isFrameworkError(error)) throw error;
    await unlink(`${path}.out`).catch(() => {});
    throw new HttpError(422, 'The image could not be decoded; send a valid, uncorrupted image.', {
      code: 'FW_ERR_IMAGE_INVALID',
      cause: error,
    });
  }
}
