// The app

export type {
  App,
  AppApi,
  AppOptions,
  ContextOf,
  ErrorHook,
  HealthReport,
  HookTypes,
  Logger,
  ProductionDefault,
  RequestHook,
  ResponseHook,
  RouteDefinition,
  RouteDescription,
  RouteMethod,
} from './app.ts';
// Dependencies: the circuit breaker
export type { Breaker, BreakerOptions, BreakerState } from './breaker.ts';
export { createBreaker } from './breaker.ts';
// Configuration
export type { Config, ConfigDefinition, ConfigSection, EnvOf } from './config/config-types.ts';
export { defineConfig } from './config/define-config.ts';
export type { Redacted } from './config/redact.ts';
export { redact } from './config/redact.ts';
// Context, replies and cookies
export type { Context, HttpMethod, Params, Query, RedirectStatus, RequestHeaders, StreamOptions } from './context.ts';
export type { CookieOptions, Cookies } from './cookies.ts';
export { createApp } from './create-app.ts';
// Time: one parser for every time option of every package
export type { Duration, DurationUnit } from './duration.ts';
export { formatDuration, parseDuration } from './duration.ts';
export type {
  ErrorCode,
  ErrorRegistry,
  FrameworkErrorOptions,
  HttpErrorOptions,
  ValidationIssue,
  ValidationTarget,
} from './errors.ts';
// Errors
export {
  BadRequestError,
  ConflictError,
  createHttpError,
  defineErrorCodes,
  ERROR_CODES,
  ForbiddenError,
  FrameworkError,
  HttpError,
  isFrameworkError,
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
export type { LogFields } from './logger.ts';
export { createLogger } from './logger.ts';
// Options
export type { KnownOptions } from './options.ts';
export { checkOptions } from './options.ts';
export type {
  DecorationRequirement,
  DecorationRequirements,
  PluginCommand,
  PluginDefinition,
  PluginExports,
  PluginFactory,
  PluginInstance,
  PluginScope,
  RequiredDecorations,
  RouteCheck,
  RouteOptionFactory,
} from './plugin.ts';
// Plugins
export { definePlugin, isPlugin } from './plugin.ts';
// Process management: graceful shutdown, cluster, restarts
export type { ClusterStartOptions } from './process/start-cluster.ts';
export { startCluster } from './process/start-cluster.ts';
export type {
  ClusterOptions,
  GracefulShutdownOptions,
  ProcessOptions,
  ShutdownHealth,
  WorkerInfo,
} from './process/types.ts';
export type { ReplyBody, ReplyHeaders, StreamSource } from './reply.ts';
export { isReply, Reply } from './reply.ts';
// Security: headers, proxies, CORS, CSRF, hardening
export type { CorsOptions, CorsOrigin } from './security/cors.ts';
export { cors } from './security/cors.ts';
export type { CsrfOptions } from './security/csrf.ts';
export type { QueryLimits, RedirectOptions } from './security/hardening.ts';
export { DEFAULT_QUERY_LIMITS } from './security/hardening.ts';
export type { CspDirectives, HelmetOptions, SecurityOptions } from './security/headers.ts';
export { createNonce } from './security/headers.ts';
// Security: rate limiting
export type {
  RateLimitContext,
  RateLimitExports,
  RateLimiter,
  RateLimitOptions,
  RateLimitStats,
  RouteLimit,
} from './security/rate-limit.ts';
export { clientAddressKey, rateLimit } from './security/rate-limit.ts';
// Security: the input sanitizer (opt-in)
export type { SanitizerFinding, SanitizerOptions, SanitizerReport, SanitizerTarget } from './security/sanitizer.ts';
export { DEFAULT_SANITIZER_PATTERNS, sanitizer } from './security/sanitizer.ts';
export type { MemoryRateLimitStoreOptions, RateLimitStore } from './security/store.ts';
export { MemoryRateLimitStore } from './security/store.ts';
export type { StoreContractCase } from './security/store-contract.ts';
export { storeContract } from './security/store-contract.ts';
export type {
  AttemptOptions,
  FailedLoginsOptions,
  RapidRequestsOptions,
  ScanningIndicator,
  ScanningOptions,
  SuspiciousAction,
  SuspiciousOptions,
} from './security/suspicious.ts';
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
  ResponseSchemas,
  RouteConfig,
  RouteInfo,
  RouteMeta,
  RouteMiddlewares,
  RouteSchema,
  RouteStatus,
} from './types.ts';
// Uploads
export type { ClamavOptions } from './uploads/clamav.ts';
export { clamav } from './uploads/clamav.ts';
export type { FileOptions, FileSchema, MultipartInput, MultipartLimits, UploadSchema } from './uploads/file.ts';
export { downloadHeaders, file, parseSize, sanitizeFilename, UploadedFile, upload } from './uploads/file.ts';
export type { ImageOptions } from './uploads/image.ts';
export type { MalwareScanner, ScanResult, UploadOptions } from './uploads/scan.ts';
