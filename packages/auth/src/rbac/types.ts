/**
 * A permission a role grants: `'*'` (everything), `action:resource` or `action:*` (that action on
 * any one resource). Lowercase letters, digits, `-` and `_` in each segment, exactly one `:`;
 * `defineRoles` refuses anything else when it runs.
 *
 * @example
 * ```ts
 * const granted: readonly GrantedPermission[] = ['read:*', 'write:posts', 'write:own'];
 * ```
 */
export type GrantedPermission = '*' | `${string}:${string}`;

/**
 * One role of a `defineRoles` definition: its permissions as a list, or an object that also names
 * the roles it inherits (all their permissions, and it meets a requirement naming them).
 *
 * @example
 * ```ts
 * const user: RoleSpec = ['read:*', 'write:own'];
 * const editor: RoleSpec<'user'> = { inherits: ['user'], permissions: ['write:posts'] };
 * ```
 */
export type RoleSpec<Name extends string = string> =
  | readonly GrantedPermission[]
  | {
      /** Roles whose permissions this one gets too; each must be defined, and no cycle is allowed. */
      readonly inherits?: readonly Name[];
      /** Permissions of this role itself. */
      readonly permissions?: readonly GrantedPermission[];
    };

/**
 * What `defineRoles` takes: each role's name mapped to its `RoleSpec`; a role may inherit only roles
 * of the same definition.
 *
 * @example
 * ```ts
 * type Def = RoleDefinition<'user' | 'editor'>;
 * ```
 */
export type RoleDefinition<Name extends string = string> = { readonly [K in Name]: RoleSpec<Name> };

/**
 * The role names of a definition.
 *
 * @example
 * ```ts
 * type Names = RoleName<{ admin: ['*']; user: ['read:*'] }>; // 'admin' | 'user'
 * ```
 */
export type RoleName<R> = Extract<keyof R, string>;

type PermissionsOfSpec<S> = S extends readonly (infer P)[]
  ? P
  : S extends { readonly permissions: readonly (infer P)[] }
    ? P
    : never;

/**
 * The actions a definition declares: the part before `:` of each permission it grants. A `'*'`
 * grant adds none, so a typo such as `'wrte:users'` stays a type error even with an admin role.
 *
 * @example
 * ```ts
 * type A = ActionOf<{ admin: ['*']; user: ['read:*', 'write:own'] }>; // 'read' | 'write'
 * ```
 */
export type ActionOf<R> = {
  [K in keyof R]: PermissionsOfSpec<R[K]> extends infer P
    ? P extends `${infer A}:${string}`
      ? A extends '*'
        ? never
        : A
      : never
    : never;
}[keyof R];

/**
 * Options of `roles.can`.
 *
 * @example
 * ```ts
 * const options: CanOptions = { kind: 'posts', isOwner: post.authorId === user.id };
 * ```
 */
export interface CanOptions {
  /** The resource segment of the permission to look for: `'posts'` checks `write:posts`. */
  kind?: string;
  /** Whether the user owns the resource (the app's `owner(user, resource)`): an `action:own` grant then allows. */
  isOwner?: boolean;
}

/**
 * The roles of an app, as `defineRoles` returns them: who may do what. Every check takes the
 * user's role names (`ctx.user.roles`); a name the definition lacks grants nothing.
 *
 * @example
 * ```ts
 * const roles = defineRoles({ admin: ['*'], user: ['read:*', 'write:own'] });
 * roles.allows(['user'], 'read:posts'); // true
 * roles.can(['user'], 'write', post, { kind: 'posts', isOwner: true }); // true
 * ```
 */
export interface Roles<R> {
  /** The definition as given. */
  readonly definition: R;
  /** The role names, in definition order. */
  readonly names: readonly RoleName<R>[];
  /** The role's permissions with those of every role it inherits, each once. */
  permissionsOf(role: RoleName<R>): readonly string[];
  /**
   * Whether the roles meet one requirement: a permission `action:resource` (granted by `'*'`,
   * `action:*` or itself) or a role name (met by that role or one inheriting it). A requirement
   * with `*`, a second `:`, an `own` resource or anything outside the grammar is refused (`false`),
   * so one built from user input cannot widen itself.
   */
  allows(userRoles: readonly string[], required: string): boolean;
  /**
   * Whether the roles may do `action` on `resource`: with `'*'`, `action:*`, `action:<kind>`, or
   * `action:own` when a resource is given and `isOwner` is true. An action or kind outside the
   * grammar is refused (`false`).
   */
  can(userRoles: readonly string[], action: string, resource?: object, options?: CanOptions): boolean;
}

/**
 * What a route may require with `permissions: [...]`: a role name of the definition, or a
 * permission whose action the definition declares (`'write:users'`); `'admn'` and `'wrte:users'`
 * are type errors.
 *
 * @example
 * ```ts
 * const roles = defineRoles({ admin: ['*'], user: ['read:*', 'write:own'] });
 * const required: readonly Permission<typeof roles>[] = ['admin', 'write:users'];
 * ```
 */
export type Permission<T> = T extends Roles<infer R> ? RoleName<R> | `${ActionOf<R>}:${string}` : never;
