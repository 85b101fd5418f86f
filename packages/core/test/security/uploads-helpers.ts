import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BOUNDARY = 'test-boundary-7MA4YWxkTrZu0gW';

export interface Part {
  name: string;
  filename?: string;
  type?: string;
  data: string | Uint8Array;
  /** Replaces the Content-Disposition parameters after `name`, e.g. `filename*=UTF-8''a%00b`. */
  disposition?: string;
  /** Raw extra header lines for the part. */
  headers?: string[];
}

/** A multipart/form-data body built byte by byte, so tests control every header. */
export function multipart(parts: readonly Part[], boundary = BOUNDARY): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.disposition !== undefined) head += `; ${part.disposition}`;
    else if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    head += '\r\n';
    if (part.type !== undefined) head += `Content-Type: ${part.type}\r\n`;
    for (const line of part.headers ?? []) head += `${line}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`, 'utf8'), Buffer.from(part.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

export function multipartInit(body: Uint8Array, boundary = BOUNDARY): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
  };
}

/** A fresh temporary-upload directory for one test file, and a way to list and remove it. */
export function uploadDir(): {
  path: string;
  files(): string[];
  settled(): Promise<string[]>;
  remove(): void;
} {
  const path = mkdtempSync(join(tmpdir(), 'uploads-test-'));
  const files = () => readdirSync(path);
  return {
    path,
    files,
    /**
     * What is left once cleanup had its chance: temporary files are unlinked right after the reply
     * is built, without holding the response back, so poll for up to 2 s.
     */
    settled: async () => {
      const end = Date.now() + 2000;
      while (files().length > 0 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
      return files();
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

export const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A PNG header (signature + IHDR) claiming `width`×`height`, followed by nothing decodable. */
export function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr[16] = 8; // bit depth
  ihdr[17] = 6; // RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr, Buffer.alloc(64)]);
}
