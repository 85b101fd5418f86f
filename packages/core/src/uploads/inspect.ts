import { HttpError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ResolvedFileOptions, UploadedFile } from './file.ts';
import { processImage, RASTER_TYPES } from './image.ts';
import { ACTIVE_TYPES, detectType } from './magic.ts';
import { scanFile, type UploadOptions } from './scan.ts';

/**
 * Checks one stored file in order: its type from its bytes against what the client declared and
 * `allowedTypes`, its image header and re-encoding, then the malware scan.
 * Throws the `HttpError` the client gets; updates `file` in place.
 */
export async function inspectFile(
  file: UploadedFile,
  head: Uint8Array,
  fileOptions: ResolvedFileOptions,
  options: UploadOptions,
  logger: Logger,
): Promise<void> {
  const type = detectType(head);
  file.type = type;
  const declared = file.clientType.toLowerCase();
  if (declared.startsWith('image/') && ACTIVE_TYPES.has(type) && declared !== type) {
    throw new HttpError(
      422,
      `File "${file.name}" is declared as ${declared} but its content is ${type}; send a real image.`,
      { code: 'FW_ERR_UPLOAD_CONTENT_MISMATCH', details: { declared, detected: type } },
    );
  }
  const allowed = fileOptions.allowedTypes;
  if (allowed !== undefined && !allowed.includes(type)) {
    throw new HttpError(
      415,
      `File "${file.name}" is ${type} (judged by its content); "${file.field}" accepts ${allowed.join(', ')}.`,
      { code: 'FW_ERR_UPLOAD_TYPE', details: { detected: type, allowed } },
    );
  }
  if (fileOptions.image !== undefined && RASTER_TYPES.has(type)) {
    const result = await processImage(file.path, head, type, fileOptions.image);
    file.type = result.type;
    file.dimensions = result.dimensions;
    if (result.size !== undefined) file.size = result.size;
  }
  const scan = fileOptions.scan;
  if (scan !== false) {
    const scanner = scan === true ? options.scanner : scan;
    if (scanner === undefined) {
      // Checked when routes compile; kept so a scan is never skipped silently.
      throw new HttpError(500, `"${file.field}" asks for a malware scan but the app has no scanner.`, {
        code: 'FW_ERR_UPLOAD_CONFIG',
      });
    }
    file.scan = await scanFile(file.path, scanner, options, logger);
  }
}
