import { isFrameworkError } from '@framework/core';
import { describe, expect, it } from 'vitest';
import { AUTH_ERROR_CODES, AuthConfigError } from '../src/errors.ts';
import { defineRoles } from '../src/rbac/define-roles.ts';
import { checkRequired } from '../src/rbac/permission.ts';
import type { RoleDefinition } from '../src/rbac/types.ts';

const roles = defineRoles({
  admin: ['*'],
  moderator: ['read:*', 'write:posts', 'delete:comments'],
  user: ['read:*', 'write:own'],
});

/** Calls defineRoles on a definition the type checker would refuse, as JavaScript or JSON config would. */
function defineUnchecked(definition: unknown): unknown {
  return Reflect.apply(defineRoles, undefined, [definition]);
}

function configError(run: () => unknown): AuthConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AuthConfigError);
    if (!(error instanceof AuthConfigError)) throw error;
    expect(isFrameworkError(error, AUTH_ERROR_CODES)).toBe(true);
    return error;
  }
  throw new Error('expected an AuthConfigError');
}

describe('defineRoles: grants', () => {
  it('the spec sample: admin does everything, moderator its list, user reads', () => {
    expect(roles.names).toEqual(['admin', 'moderator', 'user']);
    expect(roles.allows(['admin'], 'delete:users')).toBe(true);
    expect(roles.allows(['moderator'], 'write:posts')).toBe(true);
    expect(roles.allows(['moderator'], 'delete:comments')).toBe(true);
    expect(roles.allows(['moderator'], 'delete:posts')).toBe(false);
    expect(roles.allows(['user'], 'read:anything')).toBe(true);
    expect(roles.allows(['user'], 'write:posts')).toBe(false);
    expect(roles.allows([], 'read:posts')).toBe(false);
  });

  it('several roles add up; unknown role names (from a token) grant nothing', () => {
    expect(roles.allows(['user', 'moderator'], 'write:posts')).toBe(true);
    expect(roles.allows(['superuser', 'root', '*'], 'read:posts')).toBe(false);
    expect(roles.allows(['constructor', '__proto__', 'toString', 'hasOwnProperty'], 'read:posts')).toBe(false);
    expect(roles.allows(['constructor'], 'constructor')).toBe(false);
  });
});

describe('defineRoles: wildcard escalation attempts', () => {
  it('read:* does not grant another action', () => {
    expect(roles.allows(['user'], 'write:x')).toBe(false);
    expect(roles.allows(['user'], 'delete:posts')).toBe(false);
    expect(roles.can(['user'], 'write', undefined, { kind: 'x' })).toBe(false);
  });

  it('read:* matches one resource segment, never across another ":"', () => {
    expect(roles.allows(['user'], 'read:a:b')).toBe(false);
    expect(roles.allows(['admin'], 'read:a:b')).toBe(false);
    expect(roles.can(['user'], 'read', undefined, { kind: 'a:b' })).toBe(false);
  });

  it('a required wildcard is refused, even for a role that holds it', () => {
    expect(roles.allows(['user'], 'read:*')).toBe(false);
    expect(roles.allows(['moderator'], 'write:*')).toBe(false);
    expect(roles.allows(['admin'], '*')).toBe(false);
    expect(roles.allows(['admin'], '*:posts')).toBe(false);
    expect(roles.can(['user'], '*', undefined, { kind: 'posts' })).toBe(false);
    expect(roles.can(['moderator'], 'write', undefined, { kind: '*' })).toBe(false);
  });

  it('a permission built from user input cannot widen itself', () => {
    const requiredFor = (name: string) => `write:${name}`;
    expect(roles.allows(['moderator'], requiredFor('posts'))).toBe(true);
    expect(roles.allows(['moderator'], requiredFor('*'))).toBe(false);
    expect(roles.allows(['moderator'], requiredFor('posts:x'))).toBe(false);
    expect(roles.allows(['moderator'], requiredFor('Posts'))).toBe(false);
    expect(roles.allows(['moderator'], requiredFor(''))).toBe(false);
    expect(roles.allows(['moderator'], requiredFor('posts\n'))).toBe(false);
    expect(roles.allows(['user'], 'read: posts')).toBe(false);
  });

  it('a requirement that is not a string, and roles that are not a list, are refused', () => {
    const allows = (userRoles: unknown, required: unknown): unknown =>
      Reflect.apply(roles.allows, roles, [userRoles, required]);
    expect(allows(['admin'], undefined)).toBe(false);
    expect(allows(['admin'], ['write:posts'])).toBe(false);
    expect(allows('admin', 'write:posts')).toBe(false);
    expect(allows(undefined, 'write:posts')).toBe(false);
  });
});

describe('defineRoles: inheritance and role requirements', () => {
  const tree = defineRoles({
    user: ['read:*', 'write:own'],
    editor: { inherits: ['user'], permissions: ['write:posts'] },
    chief: { inherits: ['editor'], permissions: ['delete:posts'] },
    auditor: { permissions: ['read:logs'] },
    lead: { inherits: ['chief', 'auditor'] },
  });

  it('a role gets its ancestors’ permissions, each once', () => {
    expect(tree.permissionsOf('editor')).toEqual(['write:posts', 'read:*', 'write:own']);
    expect(tree.permissionsOf('lead')).toEqual(['delete:posts', 'write:posts', 'read:*', 'write:own', 'read:logs']);
    expect(tree.allows(['chief'], 'read:comments')).toBe(true);
    expect(tree.allows(['chief'], 'write:posts')).toBe(true);
    expect(tree.allows(['editor'], 'delete:posts')).toBe(false);
    expect(tree.allows(['user'], 'write:posts')).toBe(false);
  });

  it('a required role name is met by that role or one inheriting it, not by a parent', () => {
    expect(tree.allows(['user'], 'user')).toBe(true);
    expect(tree.allows(['chief'], 'user')).toBe(true);
    expect(tree.allows(['lead'], 'auditor')).toBe(true);
    expect(tree.allows(['editor'], 'chief')).toBe(false);
    expect(tree.allows(['auditor'], 'user')).toBe(false);
    expect(roles.allows(['moderator'], 'admin')).toBe(false);
    expect(roles.allows(['admin'], 'admin')).toBe(true);
    expect(roles.allows(['user'], 'admn')).toBe(false);
  });

  it('permissionsOf refuses a name that is not a role', () => {
    const permissionsOf = (role: string): unknown => Reflect.apply(tree.permissionsOf, tree, [role]);
    expect(configError(() => permissionsOf('constructor')).code).toBe('FW_AUTH_INVALID_ARGUMENT');
  });
});

describe('defineRoles: own', () => {
  const post = { id: 'p1', authorId: 'u1' };

  it('write:own lets the owner write, and only with a resource', () => {
    expect(roles.can(['user'], 'write', post, { kind: 'posts', isOwner: true })).toBe(true);
    expect(roles.can(['user'], 'write', post, { isOwner: true })).toBe(true);
    expect(roles.can(['user'], 'write', post, { kind: 'posts', isOwner: false })).toBe(false);
    expect(roles.can(['user'], 'write', post, { kind: 'posts' })).toBe(false);
    expect(roles.can(['user'], 'write', undefined, { isOwner: true })).toBe(false);
    expect(roles.can(['user'], 'delete', post, { kind: 'posts', isOwner: true })).toBe(false);
  });

  it('write:own never satisfies write:posts, and own cannot be required', () => {
    expect(roles.allows(['user'], 'write:posts')).toBe(false);
    expect(roles.allows(['user'], 'write:own')).toBe(false);
    expect(roles.can(['user'], 'write', post, { kind: 'own', isOwner: true })).toBe(false);
  });

  it('broader grants allow without ownership', () => {
    expect(roles.can(['moderator'], 'write', post, { kind: 'posts' })).toBe(true);
    expect(roles.can(['moderator'], 'write', post, { kind: 'comments' })).toBe(false);
    expect(roles.can(['moderator'], 'read', post)).toBe(true);
    expect(roles.can(['admin'], 'delete', post, { kind: 'users' })).toBe(true);
  });
});

describe('defineRoles: definition errors', () => {
  it('an unknown parent names the role and the parent', () => {
    const error = configError(() =>
      defineUnchecked({ user: ['read:*'], editor: { inherits: ['usr'], permissions: ['write:posts'] } }),
    );
    expect(error.message).toContain('role "editor" inherits "usr", which is not defined');
  });

  it('a cycle, and a role inheriting itself, are refused with the path', () => {
    const cycle: RoleDefinition = { a: { inherits: ['b'] }, b: { inherits: ['c'] }, c: { inherits: ['a'] } };
    expect(configError(() => defineUnchecked(cycle)).message).toContain('cycle (a -> b -> c -> a)');
    expect(configError(() => defineUnchecked({ a: { inherits: ['a'] } })).message).toContain('cycle (a -> a)');
  });

  it('*:posts is not a wildcard grant', () => {
    const error = configError(() => defineUnchecked({ editor: ['*:posts'] }));
    expect(error.message).toContain('wildcard action');
    expect(error.message).toContain("'read:posts'");
  });

  it('permissions outside the grammar are refused', () => {
    for (const bad of [
      'readposts',
      'read:posts:x',
      'Read:posts',
      'read:',
      ':posts',
      'read:po*',
      'read :posts',
      '**',
      42,
    ]) {
      expect(configError(() => defineUnchecked({ user: [bad] })).message).toContain('role "user"');
    }
  });

  it('bad role names, shapes and keys are refused', () => {
    expect(configError(() => defineUnchecked({ 'a:b': ['read:*'] })).message).toContain('not a role name');
    expect(configError(() => defineUnchecked({})).message).toContain('at least one role');
    expect(configError(() => defineUnchecked([])).message).toContain('object of roles');
    expect(configError(() => defineUnchecked({ user: 'read:*' })).message).toContain('list of permissions');
    expect(configError(() => defineUnchecked({ user: { inherits: 'admin' } })).message).toContain('inherits must be');
    expect(() => defineUnchecked({ user: { permission: ['read:*'] } })).toThrow(
      /no option "permission".*"permissions"/,
    );
  });
});

describe('checkRequired', () => {
  it('passes permissions and role names', () => {
    expect(() => checkRequired('write:users', 'GET /users', roles.names)).not.toThrow();
    expect(() => checkRequired('admin', 'GET /users', roles.names)).not.toThrow();
  });

  it('refuses at start-up a wildcard, a second ":", own, junk and an unknown role', () => {
    const cases: Array<[string, string]> = [
      ['write:*', 'cannot be a wildcard'],
      ['*', 'cannot be a wildcard'],
      ['*:users', 'cannot be a wildcard'],
      ['write:posts:x', 'neither a permission'],
      ['write:own', 'ownership depends on the resource'],
      ['Write:users', 'neither a permission'],
      ['admn', 'not a role of defineRoles (admin, moderator, user)'],
    ];
    for (const [permission, message] of cases) {
      const error = configError(() => checkRequired(permission, 'DELETE /users/:id', roles.names));
      expect(error.message).toContain('DELETE /users/:id requires');
      expect(error.message).toContain(message);
    }
  });
});
