/**
 * Content types decided from a file's first bytes, never from its name or the Content-Type the
 * client declared. Only the formats the framework checks are known; anything else is
 * `application/octet-stream`, or `text/plain` when it looks like text.
 */

/** How many leading bytes of a file the type and image-header checks read. */
export const HEAD_SIZE = 64 * 1024;

/** Types that browsers may render as active content: never accepted where an image was declared. */
export const ACTIVE_TYPES: ReadonlySet<string> = new Set(['text/html', 'image/svg+xml', 'application/javascript']);

function startsWith(head: Uint8Array, bytes: readonly number[], offset = 0): boolean {
  if (head.length < offset + bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (head[offset + i] !== bytes[i]) return false;
  return true;
}

function ascii(text: string): number[] {
  return Array.from(text, (char) => char.charCodeAt(0));
}

const SIGNATURES: ReadonlyArray<{ type: string; test: (head: Uint8Array) => boolean }> = [
  { type: 'image/jpeg', test: (head) => startsWith(head, [0xff, 0xd8, 0xff]) },
  { type: 'image/png', test: (head) => startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { type: 'image/gif', test: (head) => startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a')) },
  { type: 'image/webp', test: (head) => startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8) },
  { type: 'application/pdf', test: (head) => startsWith(head, ascii('%PDF-')) },
  {
    type: 'application/zip',
    test: (head) =>
      startsWith(head, [0x50, 0x4b, 0x03, 0x04]) ||
      startsWith(head, [0x50, 0x4b, 0x05, 0x06]) ||
      startsWith(head, [0x50, 0x4b, 0x07, 0x08]),
  },
  // Executables are named so that a check can say what was refused.
  { type: 'application/x-msdownload', test: (head) => startsWith(head, ascii('MZ')) },
  { type: 'application/x-elf', test: (head) => startsWith(head, [0x7f, 0x45, 0x4c, 0x46]) },
];

const HTML_MARKERS =
  /<(?:!doctype\s+html|html|head|body|script|iframe|object|embed|svg|img|a\s|style|title|meta|link|form|div|table|br|p\b|h1|b\b|font|!--)/i;
const SCRIPT_START = /^(?:#!|(?:"use strict"|'use strict')|(?:function|var|let|const|import|export)\s)/;
const latin1 = new TextDecoder('latin1');

function looksLikeText(head: Uint8Array): boolean {
  const length = Math.min(head.length, 1024);
  if (length === 0) return false;
  for (let i = 0; i < length; i++) {
    const byte = head[i]!;
    // NUL and most C0 controls do not occur in text; tab, LF, FF and CR do.
    if (byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b)) return false;
  }
  return true;
}

/**
 * Sniffs text the way a browser might (WHATWG MIME sniffing): HTML or SVG markup anywhere in the
 * first kilobyte, or a script. Returns `undefined` for binary content.
 */
function sniffText(head: Uint8Array): string | undefined {
  if (!looksLikeText(head)) return undefined;
  let text = latin1.decode(head.subarray(0, Math.min(head.length, 1024)));
  if (text.startsWith('\xef\xbb\xbf')) text = text.slice(3);
  const trimmed = text.trimStart();
  if (/<svg[\s>]/i.test(text)) return 'image/svg+xml';
  if (HTML_MARKERS.test(text)) return 'text/html';
  if (trimmed.startsWith('<?xml')) return 'application/xml';
  if (SCRIPT_START.test(trimmed)) return 'application/javascript';
  return 'text/plain';
}

/**
 * The content type of a file from its first bytes: JPEG, PNG, GIF, WebP, PDF, ZIP, Windows and ELF
 * executables, HTML, SVG, XML, scripts and plain text. `application/octet-stream` for anything else.
 *
 * @example
 * ```ts
 * detectType(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])); // 'image/png'
 * detectType(new TextEncoder().encode('<script>alert(1)</script>')); // 'text/html'
 * ```
 */
export function detectType(head: Uint8Array): string {
  for (const signature of SIGNATURES) if (signature.test(head)) return signature.type;
  return sniffText(head) ?? 'application/octet-stream';
}
