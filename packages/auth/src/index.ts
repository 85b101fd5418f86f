// The plugin

// API keys
export type { ApiKeyInput, ApiKeyOptions, ApiKeyRecord, ApiKeyService } from './api-keys/api-keys.ts';
export { createApiKeys } from './api-keys/api-keys.ts';
export type { AuthApi } from './auth-api.ts';
export { authCommands } from './commands.ts';
// Errors
export type { AuthErrorCode } from './errors.ts';
export {
  AUTH_ERROR_CODES,
  AuthConfigError,
  AuthenticationError,
  AuthStoreUnavailableError,
  OAuthError,
  PermissionError,
} from './errors.ts';
// JWT
export type { JwtAlgorithm, JwtKey, JwtKeyMaterial, JwtOptions, JwtRefreshOptions } from './jwt/options.ts';
export type { TokenPair, TokenService, VerifiedAccessToken } from './jwt/token-service.ts';
export { createTokenService } from './jwt/token-service.ts';
// OAuth and OIDC
export { linkableEmail } from './oauth/linkable-email.ts';
export { createOAuth } from './oauth/oauth.ts';
export type {
  GitHubEndpoints,
  OAuthLogin,
  OAuthOptions,
  OAuthProfile,
  OAuthRoute,
  OAuthService,
  OAuthStartOptions,
  OAuthTokens,
  ProviderOptions,
} from './oauth/types.ts';
export type { AuthOptions, AuthRouteOption, AuthStrategies, LoginResult } from './options.ts';
// Passwords
export type { PasswordOptions, Passwords, PasswordVerification } from './password/passwords.ts';
export { createPasswords } from './password/passwords.ts';
export type { AuthExports } from './plugin.ts';
export { auth } from './plugin.ts';
// Roles and permissions
export { defineRoles } from './rbac/define-roles.ts';
export { checkRequired } from './rbac/permission.ts';
export type {
  CanOptions,
  GrantedPermission,
  Permission,
  RoleDefinition,
  RoleName,
  RoleSpec,
  Roles,
} from './rbac/types.ts';
export type { RequestAuth } from './request-auth.ts';
// Sessions
export type { SessionCookieOptions, SessionOptions } from './session/options.ts';
export type { Session, SessionService } from './session/session-service.ts';
export { createSessionService } from './session/session-service.ts';
// Stores
export type { MemoryAuthStoreOptions } from './store/memory.ts';
export { MemoryAuthStore } from './store/memory.ts';
export type { RedisAuthStoreOptions } from './store/redis.ts';
export { RedisAuthStore } from './store/redis.ts';
export type { AuthStore } from './store/types.ts';
// Users
export type { AuthUser, StrategyName } from './types.ts';
