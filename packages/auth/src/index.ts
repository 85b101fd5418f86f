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
// Stores
export type { MemoryAuthStoreOptions } from './store/memory.ts';
export { MemoryAuthStore } from './store/memory.ts';
export type { AuthStore } from './store/types.ts';
// Users
export type { AuthUser, StrategyName } from './types.ts';
