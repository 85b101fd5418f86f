import { AuthConfigError } from '../errors.ts';

// One segment of a permission: no `*` and no `:`, so a segment built from user input can never
// become a wildcard or reach into another segment.
const SEGMENT = /^[a-z0-9_-]{1,64}$/;
const ROLE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** A parsed grant: everything, one action on any resource, one action on owned resources, or one pair. */
export type Grant =
  | { readonly type: 'all' }
  | { readonly type: 'action'; readonly action: string }
  | { readonly type: 'own'; readonly action: string }
  | { readonly type: 'exact'; readonly key: string };

/** A parsed requirement: a permission `action:resource`, or a role name. */
export type Requirement =
  | { readonly type: 'permission'; readonly key: string }
  | { readonly type: 'role'; readonly name: string };

/** Whether `value` may be an action or resource segment a check looks for. */
export function isSegment(value: unknown): value is string {
  return typeof value === 'string' && SEGMENT.test(value) && value !== 'own';
}

/** Whether `value` has the shape of a role name (no `:` and no `*`, so it is never a permission). */
export function isRoleName(value: unknown): value is string {
  return typeof value === 'string' && ROLE_NAME.test(value);
}

/**
 * Parses what a role (or an API key) grants; throws `AuthConfigError` naming `where` and the fix.
 */
export function parseGrant(permission: unknown, where: string): Grant {
  if (permission === '*') return { type: 'all' };
  const text = JSON.stringify(permission);
  if (typeof permission !== 'string') {
    throw new AuthConfigError(`${where}: a permission is a string such as 'read:posts'; got ${text}.`);
  }
  const parts = permission.split(':');
  if (parts.length !== 2) {
    throw new AuthConfigError(
      `${where}: ${text} is not a permission; write 'action:resource' with exactly one ':' (e.g. 'write:posts'), 'action:*' or '*'.`,
    );
  }
  const [action = '', resource = ''] = parts;
  if (action === '*') {
    throw new AuthConfigError(
      `${where}: ${text} has a wildcard action, which is not supported; grant each action ('read:${resource}', 'write:${resource}') or '*' for everything.`,
    );
  }
  if (!SEGMENT.test(action) || (resource !== '*' && !SEGMENT.test(resource))) {
    throw new AuthConfigError(
      `${where}: ${text} is not a permission; each side of ':' takes lowercase letters, digits, '-' and '_' (1 to 64), or '*' after the ':'.`,
    );
  }
  if (resource === '*') return { type: 'action', action };
  if (resource === 'own') return { type: 'own', action };
  return { type: 'exact', key: permission };
}

/**
 * Parses a requirement; `undefined` when it is not one (a wildcard, a second `:`, an `own`
 * resource, or characters outside the grammar).
 */
export function parseRequired(required: unknown): Requirement | undefined {
  if (typeof required !== 'string') return undefined;
  const colon = required.indexOf(':');
  if (colon === -1) return isRoleName(required) ? { type: 'role', name: required } : undefined;
  const action = required.slice(0, colon);
  const resource = required.slice(colon + 1);
  return isSegment(action) && isSegment(resource) ? { type: 'permission', key: required } : undefined;
}

/**
 * Checks a permission a route requires, at start-up: throws `AuthConfigError` naming `where` when it
 * has a wildcard, more than one `:`, the `own` resource (ownership is checked with `roles.can` and
 * an owner function), characters outside the grammar, or, when `roleNames` is given, names a role
 * that is not defined.
 *
 * @example
 * ```ts
 * checkRequired('write:users', 'GET /admin/users', roles.names); // passes
 * checkRequired('write:*', 'GET /admin/users'); // throws: a required permission cannot be a wildcard
 * ```
 */
export function checkRequired(permission: string, where: string, roleNames?: readonly string[]): void {
  const text = JSON.stringify(permission);
  if (typeof permission === 'string' && permission.includes('*')) {
    throw new AuthConfigError(
      `${where} requires ${text}: a required permission cannot be a wildcard; name the exact permission ('write:posts') or a role.`,
    );
  }
  const parsed = parseRequired(permission);
  if (parsed === undefined) {
    const own = typeof permission === 'string' && permission.endsWith(':own');
    throw new AuthConfigError(
      own
        ? `${where} requires ${text}: ownership depends on the resource, so a route cannot require it; require 'action:resource' and check the owner with roles.can(user.roles, action, resource, { isOwner }).`
        : `${where} requires ${text}, which is neither a permission 'action:resource' (lowercase letters, digits, '-', '_', exactly one ':') nor a role name.`,
    );
  }
  if (parsed.type === 'role' && roleNames !== undefined && !roleNames.includes(parsed.name)) {
    throw new AuthConfigError(
      `${where} requires ${text}, which is not a role of defineRoles (${roleNames.join(', ')}); fix the name or define the role.`,
    );
  }
}
