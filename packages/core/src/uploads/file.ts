import { createReadStream, openSync } from 'node:fs';
import { copyFile, readFile, rename, unlink } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { FrameworkError } from '../errors.ts';
import { checkOptions, type KnownOptions } from '../options.ts';
import type { InferOutput, StandardSchemaV1 } from '../standard-schema.ts';
import type { ImageOptions } from './image.ts';
import type { MalwareScanner, ScanResult } from './scan.ts';

/**
 * What one `file()` field accepts. Every limit has a safe default.
 *
 * @example
 * ```ts
 * const avatar = file({ maxSize: '2MB', allowedTypes: ['image/png', 'image/jpeg'], image: { stripMetadata: true } });
 * ```
 */
export interface FileOptions {
  /** Largest file, in bytes or as `'512KB'`, `'10MB'`, `'1GB'` (powers of 1024). Default 10 MB; larger gets 413 at once. */
  maxSize?: number | string;
  /** Content types accepted, as decided from the file's bytes (not the client's Content-Type). Default: any. */
  allowedTypes?: readonly string[];
  /** Image checks and re-encoding (sharp is needed for re-encoding and for JPEG sizes past the first 64 KiB). */
  image?: ImageOptions;
  /** Scan with the app's scanner (`true`) or with this one. Default false. */
  scan?: boolean | MalwareScanner;
  /** Whether the field may be left out. Default false (a missing file is a 400). */
  optional?: boolean;
}

/**
 * A `file()` schema: a Standard Schema whose output is the stored upload.
 *
 * @example
 * ```ts
 * const avatar: FileSchema = file({ maxSize: '2MB' });
 * const cover: FileSchema<UploadedFile | undefined> = file({ optional: true });
 * ```
 */
export interface FileSchema<Output extends UploadedFile | undefined = UploadedFile>
  extends StandardSchemaV1<Output, Output> {
  /** The resolved options (sizes in bytes). */
  readonly options: ResolvedFileOptions;
}

export interface ResolvedFileOptions {
  readonly maxSize: number;
  readonly allowedTypes: readonly string[] | undefined;
  readonly image: ImageOptions | undefined;
  readonly scan: boolean | MalwareScanner;
  readonly optional: boolean;
}

/**
 * Limits for one multipart request. Raising one to `Infinity` turns it off.
 *
 * @example
 * ```ts
 * upload({ files: { doc: file() }, limits: { fields: 10, fieldSize: 4096 } });
 * ```
 */
export interface MultipartLimits {
  /** File parts. Default 10. */
  files?: number;
  /** Text fields. Default 100. */
  fields?: number;
  /** Bytes in one text field. Default 64 KiB. */
  fieldSize?: number;
  /** Parts of any kind. Default 1 000. */
  parts?: number;
  /** Header lines in one part. Default 20. (A part's header block is capped at 16 KiB by the parser.) */
  headerPairs?: number;
}

/**
 * Text fields and files of a multipart body, as the parser hands them to the `upload()` schema.
 *
 * @example
 * ```ts
 * const schema = upload({ files: { avatar: file() } });
 * const result = await schema['~standard'].validate(input satisfies MultipartInput);
 * ```
 */
export interface MultipartInput {
  readonly fields: Record<string, string | string[]>;
  readonly files: Record<string, UploadedFile>;
}

/** What core needs to stream and check an upload route's body. */
export interface UploadSpec {
  readonly files: Readonly<Record<string, ResolvedFileOptions>>;
  readonly limits: Required<MultipartLimits>;
}

type FileFields = Record<string, FileSchema<UploadedFile> | FileSchema<UploadedFile | undefined>>;
type FileOutputs<F extends FileFields> = { [K in keyof F]: F[K] extends FileSchema<infer O> ? O : never };

/**
 * The schema an `upload()` returns: text fields as `fields` parses them, plus one property per file.
 *
 * @example
 * ```ts
 * const body: UploadSchema<{ title: string; doc: UploadedFile }> = upload({
 *   fields: z.object({ title: z.string() }),
 *   files: { doc: file() },
 * });
 * ```
 */
export type UploadSchema<Output> = StandardSchemaV1<MultipartInput, Output>;

const SPECS = new WeakMap<object, UploadSpec>();
const FILE_MARK = new WeakSet<object>();
const DEFAULT_MAX_SIZE = 10 * 1024 * 1024;
const DEFAULT_LIMITS: Required<MultipartLimits> = {
  files: 10,
  fields: 100,
  fieldSize: 64 * 1024,
  parts: 1000,
  headerPairs: 20,
};
const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/**
 * Bytes from a size such as `'10MB'` (units are powers of 1024) or a number of bytes.
 *
 * @example
 * ```ts
 * parseSize('10MB'); // 10485760
 * parseSize(512); // 512
 * ```
 */
export function parseSize(size: number | string): number {
  if (typeof size === 'number') {
    if (size >= 0) return size;
  } else {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(size);
    if (match) return Math.floor(Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase()]!);
  }
  throw new FrameworkError(
    'FW_ERR_UPLOAD_CONFIG',
    `${JSON.stringify(size)} is not a size; write a number of bytes or a string like '512KB' or '10MB'.`,
  );
}

/**
 * A file field of an `upload()` body. Its value in `ctx.body` is an `UploadedFile` stored in a
 * temporary file under a random id, its type decided from its bytes.
 *
 * @example
 * ```ts
 * app.post('/avatar', {
 *   schema: { body: upload({ files: { avatar: file({ maxSize: '2MB', allowedTypes: ['image/png', 'image/jpeg'] }) } }) },
 *   handler: async (ctx) => ({ size: ctx.body.avatar.size, type: ctx.body.avatar.type }),
 * });
 * ```
 */
export function file(options?: FileOptions & { optional?: false }): FileSchema<UploadedFile>;
export function file(options: FileOptions & { optional: true }): FileSchema<UploadedFile | undefined>;
export function file(options: FileOptions = {}): FileSchema<UploadedFile> | FileSchema<UploadedFile | undefined> {
  checkOptions('file()', options, FILE_OPTIONS);
  checkOptions('file({ image })', options.image, IMAGE_OPTIONS);
  const resolved: ResolvedFileOptions = {
    maxSize: parseSize(options.maxSize ?? DEFAULT_MAX_SIZE),
    allowedTypes: options.allowedTypes === undefined ? undefined : options.allowedTypes.map((t) => t.toLowerCase()),
    image: options.image,
    scan: options.scan ?? false,
    optional: options.optional ?? false,
  };
  const schema: FileSchema<UploadedFile | undefined> = {
    options: resolved,
    '~standard': {
      version: 1,
      vendor: '@framework/core',
      validate: (value) => {
        if (value instanceof UploadedFile) return { value };
        if (value === undefined && resolved.optional) return { value: undefined };
        return {
          issues: [{ message: value === undefined ? 'A file is required here.' : 'Expected an uploaded file.' }],
        };
      },
    },
  };
  FILE_MARK.add(schema);
  return schema;
}

/**
 * The body schema of a route that takes `multipart/form-data`: text fields validated by `fields`
 * (any Standard Schema, e.g. `z.object(...)`) and files by `file()`. Such a route streams its body
 * to temporary files instead of buffering it; its body limit is the sum of the files' `maxSize`
 * plus the app's `bodyLimit` for the fields, unless the route sets `bodyLimit`.
 *
 * @example
 * ```ts
 * app.post('/upload', {
 *   schema: {
 *     body: upload({
 *       fields: z.object({ title: z.string() }),
 *       files: { avatar: file({ maxSize: '10MB', allowedTypes: ['image/jpeg', 'image/png'] }) },
 *     }),
 *   },
 *   handler: async (ctx) => ({ title: ctx.body.title, bytes: ctx.body.avatar.size }),
 * });
 * ```
 */
export function upload<Files extends FileFields, Fields extends StandardSchemaV1 | undefined = undefined>(definition: {
  files: Files;
  fields?: Fields;
  limits?: MultipartLimits;
}): UploadSchema<(Fields extends StandardSchemaV1 ? InferOutput<Fields> : {}) & FileOutputs<Files>> {
  checkOptions('upload()', definition, { files: true, fields: true, limits: true });
  checkOptions('upload({ limits })', definition.limits, LIMIT_OPTIONS);
  const files: Record<string, ResolvedFileOptions> = Object.create(null);
  for (const [name, schema] of Object.entries(definition.files)) {
    if (!FILE_MARK.has(schema)) {
      throw new FrameworkError(
        'FW_ERR_UPLOAD_CONFIG',
        `upload() file "${name}" is not a file() schema; use file(...).`,
      );
    }
    files[name] = schema.options;
  }
  const fieldsSchema = definition.fields;
  const validate = (input: unknown): StandardSchemaV1.Result<never> | Promise<StandardSchemaV1.Result<never>> => {
    const { fields, files: uploaded } = isMultipartInput(input) ? input : { fields: {}, files: {} };
    const issues: StandardSchemaV1.Issue[] = [];
    for (const name of Object.keys(files)) {
      if (uploaded[name] === undefined && !files[name]!.optional) {
        issues.push({ message: 'A file is required here.', path: [name] });
      }
    }
    const merge = (parsed: unknown): StandardSchemaV1.Result<never> => {
      if (issues.length > 0) return { issues };
      const out: Record<string, unknown> = Object.create(null);
      if (typeof parsed === 'object' && parsed !== null) Object.assign(out, parsed);
      for (const name of Object.keys(files)) out[name] = uploaded[name];
      return { value: out as never };
    };
    if (fieldsSchema === undefined) return merge(undefined);
    const result = fieldsSchema['~standard'].validate(fields);
    const combine = (settled: StandardSchemaV1.Result<unknown>): StandardSchemaV1.Result<never> =>
      settled.issues ? { issues: [...settled.issues, ...issues] } : merge(settled.value);
    return result instanceof Promise ? result.then(combine) : combine(result);
  };
  const schema: UploadSchema<never> = { '~standard': { version: 1, vendor: '@framework/core', validate } };
  SPECS.set(schema, { files, limits: { ...DEFAULT_LIMITS, ...definition.limits } });
  return schema;
}

function isMultipartInput(value: unknown): value is MultipartInput {
  return typeof value === 'object' && value !== null && 'fields' in value && 'files' in value;
}

/** The upload spec of a body schema made by `upload()`, if it is one. */
export function uploadSpecOf(schema: unknown): UploadSpec | undefined {
  return typeof schema === 'object' && schema !== null ? SPECS.get(schema) : undefined;
}

/**
 * One uploaded file, stored in a temporary file (mode 0600) under a random id. It is deleted once
 * the response is ready unless `moveTo()` moved it; a stream the handler opened stays readable.
 *
 * @example
 * ```ts
 * handler: async (ctx) => {
 *   const f = ctx.body.avatar;
 *   await f.moveTo(`/srv/avatars/${f.id}.webp`);
 *   return { name: f.name, type: f.type, size: f.size };
 * };
 * ```
 */
export class UploadedFile {
  /** A random id, also the temporary file's name. */
  readonly id: string;
  /** The form field name. */
  readonly field: string;
  /** The client's file name, sanitised: no path, control or bidi characters, at most 255 characters. Metadata only. */
  readonly name: string;
  /** The Content-Type the client declared for the part; not trusted, kept for logs. */
  readonly clientType: string;
  /** The content type decided from the file's bytes. */
  type: string;
  /** Size in bytes (after any image re-encoding). */
  size: number;
  /** Where the file is now. */
  path: string;
  /** Image width and height, when the file is an image the framework checked. */
  dimensions: { width: number; height: number } | undefined;
  /** The malware scan's result, or undefined when it was not scanned (or the scanner failed open). */
  scan: ScanResult | undefined;
  /** True once `moveTo()` took the file out of the temporary directory. */
  moved: boolean;

  constructor(init: { id: string; field: string; name: string; clientType: string; path: string }) {
    this.id = init.id;
    this.field = init.field;
    this.name = init.name;
    this.clientType = init.clientType;
    this.type = 'application/octet-stream';
    this.size = 0;
    this.path = init.path;
    this.dimensions = undefined;
    this.scan = undefined;
    this.moved = false;
  }

  /** The whole file in memory. */
  buffer(): Promise<Buffer> {
    return readFile(this.path);
  }

  /** A stream of the file. The file is opened now, so it stays readable after the temporary copy is deleted. */
  stream(): Readable {
    return createReadStream('', { fd: openSync(this.path, 'r') });
  }

  /** Moves the file to `destination` (copying across file systems); it is then no longer deleted. */
  async moveTo(destination: string): Promise<void> {
    try {
      await rename(this.path, destination);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await copyFile(this.path, destination);
      await unlink(this.path);
    }
    this.path = destination;
    this.moved = true;
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
const UNSAFE_NAME = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A client's file name made safe to show and log: path parts, control characters, NUL and bidi
 * overrides removed, at most 255 characters; `'file'` when nothing is left. Never use it as a path.
 *
 * @example
 * ```ts
 * sanitizeFilename('../../etc/passwd'); // 'passwd'
 * sanitizeFilename('invoice\u202Efdp.exe'); // 'invoicefdp.exe'
 * ```
 */
export function sanitizeFilename(name: string | undefined): string {
  if (name === undefined) return 'file';
  const base = name.replace(UNSAFE_NAME, '').split(/[/\\]/).pop() ?? '';
  const trimmed = base.trim().replace(/^\.+$/, '');
  const capped = Array.from(trimmed).slice(0, 255).join('');
  return capped === '' ? 'file' : capped;
}

/**
 * Headers for sending back an uploaded file that was accepted as a generic file: a download
 * (`Content-Disposition: attachment`), never sniffed, and sandboxed if a browser renders it anyway.
 *
 * @example
 * ```ts
 * app.get('/files/:id', async (ctx) => {
 *   const stored = await findFile(ctx.params.id);
 *   return ctx.stream(createReadStream(stored.path), { type: stored.type, headers: downloadHeaders(stored.name) });
 * });
 * ```
 */
export function downloadHeaders(name: string): Record<string, string> {
  const safe = sanitizeFilename(name);
  const ascii = safe.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return {
    'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(safe)}`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "sandbox; default-src 'none'",
  };
}

const FILE_OPTIONS: KnownOptions<FileOptions> = {
  maxSize: true,
  allowedTypes: true,
  image: true,
  scan: true,
  optional: true,
};
const IMAGE_OPTIONS: KnownOptions<ImageOptions> = {
  maxDimensions: true,
  maxPixels: true,
  stripMetadata: true,
  convertFormat: true,
};
const LIMIT_OPTIONS: KnownOptions<MultipartLimits> = {
  files: true,
  fields: true,
  fieldSize: true,
  parts: true,
  headerPairs: true,
};
