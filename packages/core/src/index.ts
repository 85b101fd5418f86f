// The app

export type {
  App,
  AppApi,
  AppOptions,
  ErrorHook,
  HookTypes,
  Logger,
  RequestHook,
  ResponseHook,
  RouteDefinition,
  RouteDescription,
  RouteMethod,
} from './app.ts';
export { createApp } from './app.ts';

// Context, replies and cookies
export type { Context, HttpMethod, Params, Query, RequestHeaders, StreamOptions } from './context.ts';
export type { CookieOptions, Cookies } from './cookies.ts';
export type { ErrorCode, HttpErrorOptions, ValidationIssue, ValidationTarget } from './errors.ts';
// Errors
export {
  BadRequestError,
  ConflictError,
  createHttpError,
  ERROR_CODES,
  ForbiddenError,
  FrameworkError,
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
} from './errors.ts';
export type {
  PluginDefinition,
  PluginExports,
  PluginFactory,
  PluginInstance,
  PluginScope,
  RouteOptionFactory,
} from './plugin.ts';
// Plugins
export { definePlugin, isPlugin } from './plugin.ts';
export type { ReplyBody, ReplyHeaders, StreamSource } from './reply.ts';
export { isReply, Reply } from './reply.ts';
// Security
export type { CspDirectives, HelmetOptions, SecurityOptions } from './security/headers.ts';
export { createNonce } from './security/headers.ts';
export type { TrustProxy } from './security/trust-proxy.ts';
// Server
export type { ServerAddress, ServerLimits, StartOptions } from './server/types.ts';
export type { InferInput, InferOutput, StandardSchemaV1 } from './standard-schema.ts';
// Routes, middleware and schemas
export type {
  AddedKeys,
  AnyMiddleware,
  ContextFor,
  ExtensionOf,
  ExtensionsOf,
  Handler,
  HandlerResult,
  JoinPath,
  Middleware,
  Next,
  PathParams,
  RouteConfig,
  RouteInfo,
  RouteMeta,
  RouteSchema,
} from './types.ts';
