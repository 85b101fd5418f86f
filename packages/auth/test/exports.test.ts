import { errorCodesIn, runtimeExports, typeExports } from '@framework/test-helpers';
import { describe, expect, it } from 'vitest';
import { AUTH_ERROR_CODES } from '../src/index.ts';

const packageDir = new URL('..', import.meta.url);

// Every public name of the package: a rename or a removal changes this snapshot, so it shows in
// review as a decision rather than slipping through.
describe('public exports of @framework/auth', () => {
  it('lists the runtime exports', async () => {
    expect(await runtimeExports(packageDir)).toMatchInlineSnapshot(`
      {
        ".": [
          "AUTH_ERROR_CODES",
          "AuthConfigError",
          "AuthStoreUnavailableError",
          "AuthenticationError",
          "MemoryAuthStore",
          "OAuthError",
          "PermissionError",
          "RedisAuthStore",
          "auth",
          "authCommands",
          "checkRequired",
          "createApiKeys",
          "createOAuth",
          "createPasswords",
          "createSessionService",
          "createTokenService",
          "defineRoles",
          "linkableEmail",
        ],
      }
    `);
  });

  it('lists the type-only exports', () => {
    expect(typeExports(packageDir)).toMatchInlineSnapshot(`
      {
        ".": [
          "ApiKeyInput",
          "ApiKeyOptions",
          "ApiKeyRecord",
          "ApiKeyService",
          "AuthApi",
          "AuthErrorCode",
          "AuthExports",
          "AuthOptions",
          "AuthRouteOption",
          "AuthStore",
          "AuthStrategies",
          "AuthUser",
          "CanOptions",
          "GitHubEndpoints",
          "GrantedPermission",
          "JwtAlgorithm",
          "JwtKey",
          "JwtKeyMaterial",
          "JwtOptions",
          "JwtRefreshOptions",
          "LoginResult",
          "MemoryAuthStoreOptions",
          "OAuthLogin",
          "OAuthOptions",
          "OAuthProfile",
          "OAuthRoute",
          "OAuthService",
          "OAuthStartOptions",
          "OAuthTokens",
          "PasswordOptions",
          "PasswordVerification",
          "Passwords",
          "Permission",
          "ProviderOptions",
          "RedisAuthStoreOptions",
          "RequestAuth",
          "RoleDefinition",
          "RoleName",
          "RoleSpec",
          "Roles",
          "Session",
          "SessionCookieOptions",
          "SessionOptions",
          "SessionService",
          "StrategyName",
          "TokenPair",
          "TokenService",
          "VerifiedAccessToken",
        ],
      }
    `);
  });

  it('raises only the codes of AUTH_ERROR_CODES, and every one of them', () => {
    const thrown = [...errorCodesIn(new URL('../src', import.meta.url))];
    expect(thrown.filter((code) => !(code in AUTH_ERROR_CODES))).toEqual([]);
    for (const code of Object.keys(AUTH_ERROR_CODES)) expect(thrown).toContain(code);
  });
});
