import { describe, expectTypeOf, it } from 'vitest';
import { defineRoles } from '../src/rbac/define-roles.ts';
import type { ActionOf, Permission, RoleName, Roles } from '../src/rbac/types.ts';

const roles = defineRoles({
  admin: ['*'],
  moderator: ['read:*', 'write:posts', 'delete:comments'],
  user: ['read:*', 'write:own'],
});

const withInheritance = defineRoles({
  user: ['read:*'],
  editor: { inherits: ['user'], permissions: ['publish:posts'] },
  chief: { inherits: ['editor'] },
});

describe('defineRoles types', () => {
  it('keeps the role names and the declared actions', () => {
    expectTypeOf(roles.names).toEqualTypeOf<readonly ('admin' | 'moderator' | 'user')[]>();
    expectTypeOf<ActionOf<typeof roles.definition>>().toEqualTypeOf<'read' | 'write' | 'delete'>();
    expectTypeOf<RoleName<typeof withInheritance.definition>>().toEqualTypeOf<'user' | 'editor' | 'chief'>();
    expectTypeOf<ActionOf<typeof withInheritance.definition>>().toEqualTypeOf<'read' | 'publish'>();
  });

  it('a route may require a role name or a permission of a declared action', () => {
    const required: readonly Permission<typeof roles>[] = ['admin', 'write:users', 'delete:comments', 'read:posts'];
    expectTypeOf(required).toExtend<readonly string[]>();
    const inherited: readonly Permission<typeof withInheritance>[] = ['editor', 'publish:posts', 'chief'];
    expectTypeOf(inherited).toExtend<readonly string[]>();
  });

  it('a misspelt role or action is a type error', () => {
    // @ts-expect-error 'admn' is not a role
    const role: Permission<typeof roles> = 'admn';
    // @ts-expect-error 'wrte' is not an action of the definition
    const action: Permission<typeof roles> = 'wrte:users';
    // @ts-expect-error publish is declared by another definition, not this one
    const foreign: Permission<typeof roles> = 'publish:posts';
    // @ts-expect-error a '*' grant declares no action
    const fromStar: Permission<ReturnType<typeof defineRoles<{ root: ['*'] }>>> = 'anything:x';
    expectTypeOf([role, action, foreign, fromStar]).toExtend<readonly string[]>();
  });

  it('permissionsOf takes a role of the definition', () => {
    expectTypeOf(roles.permissionsOf('moderator')).toEqualTypeOf<readonly string[]>();
    // @ts-expect-error not a role
    roles.permissionsOf('superuser');
  });

  it('a definition inherits only its own roles and grants only permission-shaped strings', () => {
    // @ts-expect-error 'nobody' is not a role of this definition
    defineRoles({ user: ['read:*'], editor: { inherits: ['nobody'], permissions: ['write:posts'] } });
    // @ts-expect-error a permission has a ':' (or is '*')
    defineRoles({ user: ['readposts'] });
    // @ts-expect-error inherits and permissions are the only keys of a role object
    defineRoles({ user: { permission: ['read:*'] } });
  });

  it('Permission of something that is not Roles is never', () => {
    expectTypeOf<Permission<string>>().toEqualTypeOf<never>();
    expectTypeOf(roles).toExtend<Roles<typeof roles.definition>>();
  });
});
