import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { parseContentType } from '../body.ts';
import { HttpError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ServerRequest } from '../server/types.ts';
import { type MultipartInput, sanitizeFilename, UploadedFile, type UploadSpec } from './file.ts';
import { inspectFile } from './inspect.ts';
import { HEAD_SIZE } from './magic.ts';
import type { UploadOptions } from './scan.ts';

const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
// RFC 2046 §5.1.1: 1 to 70 of these characters, not ending in a space.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
const directories = new Map<string, Promise<string>>();

/** The default temporary directory: `os.tmpdir()/framework-uploads-<pid>`. */
export function defaultUploadDir(): string {
  return join(tmpdir(), `framework-uploads-${process.pid}`);
}

function uploadDir(options: UploadOptions): Promise<string> {
  const dir = options.tmpDir ?? defaultUploadDir();
  let made = directories.get(dir);
  if (made === undefined) {
    made = mkdir(dir, { recursive: true, mode: 0o700 }).then(() => dir);
    made.catch(() => directories.delete(dir));
    directories.set(dir, made);
  }
  return made;
}

function badRequest(message: string, code: string): HttpError {
  return new HttpError(400, message, { code });
}

function tooLarge(message: string, code: string): HttpError {
  return new HttpError(413, message, { code, headers: { connection: 'close' } });
}

/** Reads the boundary and refuses what RFC 2046 does not allow, before any parsing: a malformed boundary is a 400, not a parser stuck on it. */
function checkContentType(header: string | undefined): void {
  const parsed = parseContentType(header);
  if (parsed?.type !== 'multipart/form-data') {
    throw new HttpError(
      415,
      `Content-Type ${parsed?.type ?? '(none)'} is not accepted here; send the body as multipart/form-data.`,
      { code: 'FW_ERR_UNSUPPORTED_MEDIA_TYPE' },
    );
  }
  const match = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(header ?? '');
  const boundary = match?.[1] ?? match?.[2];
  if (boundary === undefined || !BOUNDARY.test(boundary)) {
    throw badRequest(
      'The multipart boundary is missing or invalid; it must be 1 to 70 characters as RFC 2046 allows.',
      'FW_ERR_MULTIPART_BOUNDARY',
    );
  }
}

interface Stored {
  readonly file: UploadedFile;
  readonly out: WriteStream;
  readonly closed: Promise<void>;
}

/** Which uploads each request stored, so they can be deleted once the response is ready. */
const requestFiles = new WeakMap<object, UploadedFile[]>();

/**
 * Deletes a request's temporary files that the handler did not move. Safe to call more than once.
 */
export function releaseUploads(owner: object): Promise<void> | undefined {
  const files = requestFiles.get(owner);
  if (files === undefined) return undefined;
  requestFiles.delete(owner);
  return Promise.all(files.filter((f) => !f.moved).map((f) => unlink(f.path).catch(() => {}))).then(() => {});
}

/**
 * Streams a `multipart/form-data` body into temporary files, enforcing the spec's limits as the
 * bytes arrive, then checks each file (type by magic bytes, image header, malware scan). Throws an
 * `HttpError` (4xx, or 503 when a scanner is down) and removes every temporary file on any failure.
 */
export async function receiveMultipart(
  owner: object,
  request: ServerRequest,
  spec: UploadSpec,
  limit: number,
  options: UploadOptions,
  logger: Logger,
  beforeFiles?: (fields: Readonly<Record<string, string | string[]>>) => void,
): Promise<MultipartInput> {
  const contentType = Array.isArray(request.headers['content-type'])
    ? request.headers['content-type'][0]
    : request.headers['content-type'];
  checkContentType(contentType);
  const dir = await uploadDir(options);
  const fields: Record<string, string | string[]> = Object.create(null);
  const files: Record<string, UploadedFile> = Object.create(null);
  const stored: Stored[] = [];
  const checks: Array<Promise<unknown>> = [];
  let failure: unknown;
  let wake: (() => void) | undefined;
  let failed: () => void = () => {};
  // Settles when anything fails, so a read waiting for the client's next bytes stops at once: a client
  // that stops sending mid-file cannot hold the request open.
  const failedSignal = new Promise<undefined>((resolve) => {
    failed = () => resolve(undefined);
  });
  const fail = (error: unknown) => {
    failure ??= error;
    failed();
    wake?.();
  };
  // Runs once, with the text fields sent so far, when the first file part starts or the body ends;
  // a throw refuses the request before any file is stored.
  let gated = beforeFiles === undefined;
  const gate = (): boolean => {
    if (gated) return true;
    gated = true;
    try {
      beforeFiles?.(fields);
      return true;
    } catch (error) {
      fail(error);
      return false;
    }
  };
  const maxFile = Math.max(0, ...Object.values(spec.files).map((f) => f.maxSize));
  const limits = spec.limits;
  const parser = busboy({
    headers: { 'content-type': contentType ?? '' },
    defParamCharset: 'utf8',
    preservePath: true,
    limits: {
      files: limits.files,
      fields: limits.fields,
      fieldSize: limits.fieldSize,
      parts: limits.parts,
      headerPairs: limits.headerPairs,
      fileSize: maxFile + 1,
      fieldNameSize: 200,
    },
  });
  let finished = false;
  parser.on('error', (error: unknown) => {
    fail(
      badRequest(
        `The multipart body is malformed (${error instanceof Error ? error.message : 'parse error'}); send valid multipart/form-data.`,
        'FW_ERR_MULTIPART_MALFORMED',
      ),
    );
  });
  parser.on('close', () => {
    finished = true;
    wake?.();
  });
  parser.on('partsLimit', () =>
    fail(tooLarge(`The body has more than ${limits.parts} parts; send fewer.`, 'FW_ERR_MULTIPART_LIMIT')),
  );
  parser.on('filesLimit', () =>
    fail(tooLarge(`The body has more than ${limits.files} files; send fewer.`, 'FW_ERR_MULTIPART_LIMIT')),
  );
  parser.on('fieldsLimit', () =>
    fail(tooLarge(`The body has more than ${limits.fields} fields; send fewer.`, 'FW_ERR_MULTIPART_LIMIT')),
  );
  const checkName = (name: string | undefined, truncated: boolean): boolean => {
    if (name === undefined || name === '' || truncated || FORBIDDEN_NAMES.has(name)) {
      fail(
        badRequest(
          `A multipart part has a missing, over-long or forbidden name (${JSON.stringify(name ?? '')}); rename the field.`,
          'FW_ERR_MULTIPART_FIELD_NAME',
        ),
      );
      return false;
    }
    return true;
  };
  parser.on('field', (name, value, info) => {
    if (failure !== undefined || !checkName(name, info.nameTruncated)) return;
    if (info.valueTruncated) {
      fail(tooLarge(`Field "${name}" is larger than ${limits.fieldSize} bytes; send less.`, 'FW_ERR_MULTIPART_LIMIT'));
      return;
    }
    if (spec.files[name] !== undefined) {
      fail(badRequest(`Field "${name}" must be a file, sent with a filename.`, 'FW_ERR_MULTIPART_FIELD'));
      return;
    }
    const existing = fields[name];
    if (existing === undefined) fields[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else fields[name] = [existing, value];
  });
  parser.on('file', (name: string, stream: Readable, info) => {
    stream.on('error', () => {});
    if (failure !== undefined || !gate() || !checkName(name, false)) {
      stream.resume();
      return;
    }
    const fileOptions = spec.files[name];
    if (fileOptions === undefined || files[name] !== undefined) {
      fail(
        badRequest(
          fileOptions === undefined
            ? `File field "${name}" is not expected here; send only ${Object.keys(spec.files).join(', ')}.`
            : `File field "${name}" was sent more than once; send one file.`,
          'FW_ERR_MULTIPART_FIELD',
        ),
      );
      stream.resume();
      return;
    }
    const id = randomUUID();
    const file = new UploadedFile({
      id,
      field: name,
      name: sanitizeFilename(info.filename),
      clientType: info.mimeType,
      path: join(dir, id),
    });
    files[name] = file;
    const out = createWriteStream(file.path, { flags: 'wx', mode: 0o600 });
    const closed = new Promise<void>((resolve) => out.once('close', resolve));
    out.on('error', (error) => fail(error));
    stored.push({ file, out, closed });
    const head: Buffer[] = [];
    let headSize = 0;
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      if (failure !== undefined) return;
      size += chunk.length;
      if (size > fileOptions.maxSize) {
        // Stop here: nothing past the size limit is written or read; the file is removed below.
        fail(
          tooLarge(
            `File "${file.name}" is larger than the ${fileOptions.maxSize}-byte limit of "${name}"; send a smaller file.`,
            'FW_ERR_FILE_TOO_LARGE',
          ),
        );
        return;
      }
      if (headSize < HEAD_SIZE) {
        head.push(chunk);
        headSize += chunk.length;
      }
      if (!out.write(chunk)) {
        stream.pause();
        out.once('drain', () => stream.resume());
      }
    });
    stream.on('error', (error) =>
      fail(
        badRequest(
          `The multipart body ended inside file "${file.name}" (${error.message}).`,
          'FW_ERR_MULTIPART_MALFORMED',
        ),
      ),
    );
    stream.on('end', () => {
      if (failure !== undefined) return;
      file.size = size;
      out.end();
      checks.push(
        closed
          .then(() =>
            failure === undefined
              ? inspectFile(file, Buffer.concat(head).subarray(0, HEAD_SIZE), fileOptions, options, logger)
              : undefined,
          )
          .catch(fail),
      );
    });
  });

  const iterator = request.stream(limit)[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), failedSignal]);
      if (failure !== undefined || next === undefined || next.done) break;
      if (!parser.write(next.value)) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          parser.once('drain', resolve);
        });
        wake = undefined;
        if (failure !== undefined) break;
      }
    }
    if (failure === undefined) {
      parser.end();
      if (!finished) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    }
  } catch (error) {
    fail(error);
  }
  if (failure === undefined) gate();
  if (failure !== undefined) {
    // Not awaited: an async generator runs return() only after a pending next() settles.
    iterator.return?.()?.catch(() => {});
    parser.destroy();
    for (const entry of stored) entry.out.destroy();
  }
  // Each file is checked once written, in parallel with the rest of the body; wait for them all.
  while (checks.length > 0) await Promise.all(checks.splice(0));
  requestFiles.set(owner, Object.values(files));
  if (failure !== undefined) {
    await Promise.all(stored.map((entry) => entry.closed));
    await releaseUploads(owner);
    throw failure;
  }
  return { fields, files };
}
