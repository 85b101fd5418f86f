import type { Readable } from 'node:stream';
import { HttpError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/**
 * What a malware scanner returns for one file.
 *
 * @example
 * ```ts
 * const result: ScanResult = { clean: false, signature: 'Eicar-Test-Signature' };
 * ```
 */
export interface ScanResult {
  clean: boolean;
  /** The name of what was found, when not clean. */
  signature?: string;
}

/**
 * A malware scanner: gets a file's path (or a stream of it) and says whether it is clean. It should
 * throw when it cannot scan (unreachable, timed out, file over its size limit).
 *
 * @example
 * ```ts
 * const scanner: MalwareScanner = { scan: async (input) => ({ clean: !(await looksBad(input)) }) };
 * const app = createApp({ uploads: { scanner } });
 * ```
 */
export interface MalwareScanner {
  scan(input: string | Readable): Promise<ScanResult>;
}

/**
 * App-wide upload settings: `createApp({ uploads })`.
 *
 * @example
 * ```ts
 * const app = createApp({ uploads: { scanner: clamav({ host: 'clamd', port: 3310 }), failOpen: false } });
 * ```
 */
export interface UploadOptions {
  /** The scanner for `file({ scan: true })`. */
  scanner?: MalwareScanner;
  /** What to do with an infected file: `reject` (422, the default) or `flag` (keep it, with `file.scan.clean === false`). */
  onDetection?: 'reject' | 'flag';
  /** Accept files unscanned when the scanner fails (logged). Default false: a 503 (fail closed). */
  failOpen?: boolean;
  /** Where temporary files go. Default `os.tmpdir()/framework-uploads-<pid>`. */
  tmpDir?: string;
}

/**
 * Scans one stored file. Throws a 422 (`FW_ERR_MALWARE_DETECTED`) for an infected file unless
 * `onDetection` is `flag`, and a 503 (`FW_ERR_SCANNER_UNAVAILABLE`) when the scanner fails, unless `failOpen`.
 */
export async function scanFile(
  path: string,
  scanner: MalwareScanner,
  options: UploadOptions,
  logger: Logger,
): Promise<ScanResult | undefined> {
  let result: ScanResult;
  try {
    result = await scanner.scan(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (options.failOpen === true) {
      logger.warn({ err: error }, `malware scanner failed; the file was accepted unscanned (failOpen): ${reason}`);
      return undefined;
    }
    logger.error({ err: error }, `malware scanner failed; the upload was refused with 503: ${reason}`);
    throw new HttpError(503, 'The uploaded file could not be scanned for malware right now; try again later.', {
      code: 'FW_ERR_SCANNER_UNAVAILABLE',
      headers: { 'retry-after': '30' },
      cause: error,
    });
  }
  if (!result.clean && options.onDetection !== 'flag') {
    throw new HttpError(422, 'The uploaded file was flagged as malware and refused; do not send it again.', {
      code: 'FW_ERR_MALWARE_DETECTED',
      details: result.signature === undefined ? undefined : { signature: result.signature },
    });
  }
  return result;
}
