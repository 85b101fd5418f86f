/**
 * The error family of @framework/core. Every coded error of the framework and of its packages is a
 * `FrameworkError` (brand checked by `isFrameworkError`, which works across duplicate copies of the
 * package); every error a client can cause is an `HttpError` (a `FrameworkError` carrying its
 * status and a message that is safe to show); everything else becomes a 500 whose details are
 * shown only in development. Each package declares its codes with `defineErrorCodes`.
 *
 * The family lives in two modules, the base and registries (`framework-error.ts`) and the HTTP
 * errors built on it (`http-error.ts`); this one gathers both so the rest of core imports every
 * error from one place.
 */

export type { ErrorCode, ErrorRegistry, FrameworkErrorOptions } from './framework-error.ts';
export { defineErrorCodes, ERROR_CODES, FrameworkError, isFrameworkError } from './framework-error.ts';
export type { HttpErrorOptions, ValidationIssue, ValidationTarget } from './http-error.ts';
export {
  BadRequestError,
  ConflictError,
  createHttpError,
  ForbiddenError,
  HttpError,
  isHttpError,
  isValidationError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  STATUS_TEXT,
  TooManyRequestsError,
  UnauthorizedError,
  UnprocessableEntityError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './http-error.ts';
