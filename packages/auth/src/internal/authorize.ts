import type { RouteInfo } from '@framework/core';
import { AuthConfigError, PermissionError } from '../errors.ts';
import { checkRequired, parseGrant, parseRequired } from '../rbac/permission.ts';
import type { Roles } from '../rbac/types.ts';
import type { AuthState } from '../request-auth.ts';

/**
 * A route's `permissions`, checked at start-up: a list of role names or `action:resource`
 * permissions, none with a wildcard (a required permission never widens itself).
 */
export function checkRoutePermissions(
  value: unknown,
  route: RouteInfo,
  roles: Roles<unknown> | undefined,
): readonly string[] {
  if (value === undefined) return [];
  const where = `Route ${route.method} ${route.path}`;
  if (!Array.isArray(value) || value.length === 0 || !value.every((item) => typeof item === 'string')) {
    throw new AuthConfigError(
      `${where} sets permissions to ${JSON.stringify(value)}; write a list such as permissions: ['admin', 'write:users'].`,
    );
  }
  for (const permission of value) checkRequired(permission, where, roles?.names);
  return value;
}

/** Whether an API key's scope (its granted permissions) covers a required permission. */
function keyAllows(grants: readonly string[], required: string): boolean {
  const wanted = parseRequired(required);
  if (wanted === undefined) return false;
  // A key is scoped by permissions: a route that requires a role (the whole of what it grants) is
  // open to a key only when the key's scope is everything ('*').
  if (wanted.type === 'role') return grants.includes('*');
  const action = wanted.key.slice(0, wanted.key.indexOf(':'));
  return grants.some((granted) => {
    const grant = parseGrant(granted, 'an API key');
    return (
      grant.type === 'all' ||
      (grant.type === 'action' && grant.action === action) ||
      (grant.type === 'exact' && grant.key === wanted.key)
    );
  });
}

/**
 * Checks every required permission against the user's roles (and an API key's scope): 403 naming
 * what is missing. Without `defineRoles`, a requirement is a role name the user must have.
 */
export function authorize(state: AuthState, required: readonly string[], roles: Roles<unknown> | undefined): void {
  const user = state.user;
  if (user === undefined) return;
  const missing = required.filter((permission) => {
    const byRoles = roles === undefined ? user.roles.includes(permission) : roles.allows(user.roles, permission);
    return !byRoles || (state.apiKey !== undefined && !keyAllows(state.apiKey.permissions, permission));
  });
  if (missing.length > 0) {
    const by =
      state.apiKey === undefined ? 'your roles do not grant it' : "your roles or this API key's scope do not grant it";
    throw new PermissionError(
      `This route needs ${missing.join(' and ')}, and ${by}; ask an administrator for it.`,
      required,
    );
  }
}
