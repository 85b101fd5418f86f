import { checkOptions } from '@framework/core';
import { AuthConfigError } from '../errors.ts';
import { type Grant, isRoleName, isSegment, parseGrant, parseRequired } from './permission.ts';
import type { CanOptions, RoleDefinition, RoleName, Roles } from './types.ts';

interface CompiledRole {
  readonly permissions: readonly string[];
  /** This role and every role it inherits, directly or not: the role names it meets. */
  readonly meets: ReadonlySet<string>;
  readonly all: boolean;
  readonly actions: ReadonlySet<string>;
  readonly own: ReadonlySet<string>;
  readonly exact: ReadonlySet<string>;
}

interface ParsedSpec {
  readonly inherits: readonly string[];
  readonly permissions: readonly string[];
}

function parseSpec(name: string, spec: unknown): ParsedSpec {
  const where = `defineRoles: role "${name}"`;
  if (!isRoleName(name)) {
    throw new AuthConfigError(
      `defineRoles: ${JSON.stringify(name)} is not a role name; use letters, digits, '-' and '_' (no ':' or '*', which belong to permissions).`,
    );
  }
  if (Array.isArray(spec)) return { inherits: [], permissions: spec.map((p) => checkGrant(p, where)) };
  if (spec === null || typeof spec !== 'object') {
    throw new AuthConfigError(
      `${where} must be a list of permissions (['read:*']) or { inherits: ['user'], permissions: ['write:posts'] }.`,
    );
  }
  const object: { inherits?: unknown; permissions?: unknown } = spec;
  checkOptions(where, object, { inherits: true, permissions: true });
  const inherits = object.inherits ?? [];
  const permissions = object.permissions ?? [];
  if (!Array.isArray(inherits) || !inherits.every((parent) => typeof parent === 'string')) {
    throw new AuthConfigError(`${where}: inherits must be a list of role names, e.g. inherits: ['user'].`);
  }
  if (!Array.isArray(permissions)) {
    throw new AuthConfigError(`${where}: permissions must be a list, e.g. permissions: ['write:posts'].`);
  }
  return { inherits, permissions: permissions.map((p) => checkGrant(p, where)) };
}

function checkGrant(permission: unknown, where: string): string {
  parseGrant(permission, where);
  return String(permission);
}

/** Each role's own permissions plus its ancestors', in order; throws on an unknown parent or a cycle. */
function expand(specs: ReadonlyMap<string, ParsedSpec>): Map<string, { permissions: string[]; meets: Set<string> }> {
  const done = new Map<string, { permissions: string[]; meets: Set<string> }>();
  const visit = (name: string, path: readonly string[]): { permissions: string[]; meets: Set<string> } => {
    const finished = done.get(name);
    if (finished !== undefined) return finished;
    if (path.includes(name)) {
      const cycle = [...path.slice(path.indexOf(name)), name].join(' -> ');
      throw new AuthConfigError(`defineRoles: the roles inherit in a cycle (${cycle}); remove one of these inherits.`);
    }
    const spec = specs.get(name);
    if (spec === undefined) throw new Error(`unreachable: role ${name} checked before`);
    const permissions = new Set(spec.permissions);
    const meets = new Set([name]);
    for (const parent of spec.inherits) {
      if (!specs.has(parent)) {
        throw new AuthConfigError(
          `defineRoles: role "${name}" inherits "${parent}", which is not defined; define it or fix the name (roles: ${[...specs.keys()].join(', ')}).`,
        );
      }
      const inherited = visit(parent, [...path, name]);
      for (const permission of inherited.permissions) permissions.add(permission);
      for (const role of inherited.meets) meets.add(role);
    }
    const result = { permissions: [...permissions], meets };
    done.set(name, result);
    return result;
  };
  for (const name of specs.keys()) visit(name, []);
  return done;
}

function compile(permissions: readonly string[], meets: ReadonlySet<string>): CompiledRole {
  const actions = new Set<string>();
  const own = new Set<string>();
  const exact = new Set<string>();
  let all = false;
  for (const permission of permissions) {
    const grant: Grant = parseGrant(permission, 'defineRoles');
    if (grant.type === 'all') all = true;
    else if (grant.type === 'action') actions.add(grant.action);
    else if (grant.type === 'own') own.add(grant.action);
    else exact.add(grant.key);
  }
  return { permissions, meets, all, actions, own, exact };
}

/**
 * Declares the app's roles and what each may do, checked when it runs: a permission outside the
 * grammar (`'*'`, `action:resource`, `action:*`), a wildcard action (`'*:posts'`), an unknown
 * parent or an inheritance cycle throws `AuthConfigError`. The literal definition types
 * `Permission<typeof roles>`, which routes' `permissions` accept.
 *
 * @example
 * ```ts
 * const roles = defineRoles({
 *   admin: ['*'],
 *   moderator: ['read:*', 'write:posts', 'delete:comments'],
 *   user: ['read:*', 'write:own'],
 *   editor: { inherits: ['user'], permissions: ['write:posts'] },
 * });
 * roles.allows(['editor'], 'write:posts'); // true
 * roles.allows(['editor'], 'user'); // true: editor inherits user
 * roles.allows(['user'], 'write:posts'); // false: write:own is not write:posts
 * ```
 */
export function defineRoles<const R extends RoleDefinition<RoleName<R>>>(definition: R): Roles<R> {
  if (definition === null || typeof definition !== 'object' || Array.isArray(definition)) {
    throw new AuthConfigError(
      "defineRoles takes an object of roles, e.g. defineRoles({ admin: ['*'], user: ['read:*'] }).",
    );
  }
  const specs = new Map<string, ParsedSpec>();
  for (const [name, spec] of Object.entries(definition)) specs.set(name, parseSpec(name, spec));
  if (specs.size === 0) {
    throw new AuthConfigError("defineRoles needs at least one role, e.g. defineRoles({ admin: ['*'] }).");
  }
  // A Map, never the definition object: a role named after an Object.prototype member
  // ('constructor', '__proto__') in a token must not find anything.
  const compiled = new Map<string, CompiledRole>();
  for (const [name, { permissions, meets }] of expand(specs)) compiled.set(name, compile(permissions, meets));
  const names = Object.keys(definition).filter((name): name is RoleName<R> => compiled.has(name));

  const rolesOf = function* (userRoles: readonly string[]): Generator<CompiledRole> {
    if (!Array.isArray(userRoles)) return;
    for (const name of userRoles) {
      const role = typeof name === 'string' ? compiled.get(name) : undefined;
      if (role !== undefined) yield role;
    }
  };

  return {
    definition,
    names,
    permissionsOf(role) {
      const found = compiled.get(role);
      if (found === undefined) {
        throw new AuthConfigError(
          `roles.permissionsOf(${JSON.stringify(role)}): no such role; pass one of ${names.join(', ')}.`,
          'FW_AUTH_INVALID_ARGUMENT',
        );
      }
      return found.permissions;
    },
    allows(userRoles, required) {
      const requirement = parseRequired(required);
      if (requirement === undefined) return false;
      for (const role of rolesOf(userRoles)) {
        if (requirement.type === 'role') {
          if (role.meets.has(requirement.name)) return true;
          continue;
        }
        if (role.all || role.exact.has(requirement.key)) return true;
        if (role.actions.has(requirement.key.slice(0, requirement.key.indexOf(':')))) return true;
      }
      return false;
    },
    can(userRoles, action, resource?: object, options?: CanOptions) {
      if (!isSegment(action)) return false;
      const kind = options?.kind;
      if (kind !== undefined && !isSegment(kind)) return false;
      const owner = resource !== undefined && resource !== null && options?.isOwner === true;
      for (const role of rolesOf(userRoles)) {
        if (role.all || role.actions.has(action)) return true;
        if (kind !== undefined && role.exact.has(`${action}:${kind}`)) return true;
        if (owner && role.own.has(action)) return true;
      }
      return false;
    },
  };
}
