import { runtimeExports } from '@framework/test-helpers';
import { describe, expect, it } from 'vitest';

// Every runtime export of the package: a rename or a removal changes this snapshot, so it shows in
// review as a decision rather than slipping through.
describe('public exports of @framework/core', () => {
  it('lists every runtime export (a rename or removal shows up here and in review)', async () => {
    const names = (await runtimeExports(new URL('..', import.meta.url)))['.'];
    expect(names).toMatchInlineSnapshot(`
      [
        "BadRequestError",
        "ConflictError",
        "DEFAULT_QUERY_LIMITS",
        "DEFAULT_SANITIZER_PATTERNS",
        "ERROR_CODES",
        "ForbiddenError",
        "FrameworkError",
        "HttpError",
        "MemoryRateLimitStore",
        "NotFoundError",
        "PayloadTooLargeError",
        "Reply",
        "STATUS_TEXT",
        "ServiceUnavailableError",
        "TooManyRequestsError",
        "UnauthorizedError",
        "UnprocessableEntityError",
        "UnsupportedMediaTypeError",
        "UploadedFile",
        "ValidationError",
        "checkOptions",
        "clamav",
        "clientAddressKey",
        "cors",
        "createApp",
        "createBreaker",
        "createHttpError",
        "createLogger",
        "createNonce",
        "defineConfig",
        "defineErrorCodes",
        "definePlugin",
        "downloadHeaders",
        "file",
        "formatDuration",
        "isFrameworkError",
        "isHttpError",
        "isPlugin",
        "isReply",
        "isValidationError",
        "parseDuration",
        "parseSize",
        "rateLimit",
        "redact",
        "sanitizeFilename",
        "sanitizer",
        "startCluster",
        "storeContract",
        "upload",
      ]
    `);
  });
});
