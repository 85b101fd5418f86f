import {
  type Context,
  checkOptions,
  definePlugin,
  type PluginInstance,
  type RequiredDecorations,
  type RouteCheck,
  type RouteInfo,
  type RouteOptionFactory,
} from '@framework/core';
import { createApiKeys } from './api-keys/api-keys.ts';
import { type AuthApi, createAuthApi } from './auth-api.ts';
import { authCommands } from './commands.ts';
import { AuthConfigError, AuthenticationError } from './errors.ts';
import { authenticate, challengeFor, type Strategies } from './internal/authenticate.ts';
import { authorize, checkRoutePermissions } from './internal/authorize.ts';
import { isRateLimiter, isRedisClient, resolveStore } from './internal/dependencies.ts';
import { mountRoutes } from './internal/routes.ts';
import { createTokenService } from './jwt/token-service.ts';
import { createOAuth } from './oauth/oauth.ts';
import type { AuthOptions, AuthRouteOption, AuthStrategies, LoginResult } from './options.ts';
import { createPasswords } from './password/passwords.ts';
import { defineRoles } from './rbac/define-roles.ts';
import type { Permission, Roles } from './rbac/types.ts';
import { AuthStates, type RequestAuth } from './request-auth.ts';
import { createSessionService } from './session/session-service.ts';
import type { AuthUser, StrategyName } from './types.ts';

/** The strategies a route may name: those configured, OAuth aside (it signs users in; sessions or tokens carry them). */
type RouteStrategies<S> = Extract<Exclude<keyof S, 'oauth'>, StrategyName>;

/** A route's `permissions`: typed by the roles given to `auth({ roles })`, role names only without them. */
type PermissionsOption<R> = unknown extends R ? readonly string[] : readonly Permission<Roles<R>>[];

/**
 * What `app.use(auth(...))` adds: `app.auth`; `ctx.user`, `ctx.auth`, `ctx.login()`, `ctx.logout()`,
 * `ctx.can()`; the route options `auth` and `permissions`.
 *
 * @example
 * ```ts
 * type Added = AuthExports<DbUser, { id: string; roles: string[] }, { session: {} }, unknown>;
 * ```
 */
export interface AuthExports<Full extends object, U extends AuthUser, S, R> {
  decorate: { auth: AuthApi<Full, U, R> };
  context: {
    /** The authenticated user; reading it on a request nothing authenticated answers 401. */
    user: (ctx: Context) => U;
    auth: (ctx: Context) => RequestAuth<U>;
    login: (ctx: Context) => (user: Full, options?: { strategy?: 'session' | 'jwt' }) => Promise<LoginResult<U>>;
    logout: (ctx: Context) => (options?: { everywhere?: boolean; refreshToken?: string }) => Promise<void>;
    can: (ctx: Context) => (action: string, resource?: object, kind?: string) => boolean;
  };
  routeOptions: {
    auth: RouteOptionFactory<AuthRouteOption<RouteStrategies<S>>>;
    permissions: RouteOptionFactory<PermissionsOption<R>>;
  };
  csrfSession?: (ctx: Context) => string | undefined;
}

const requires = {
  redis: {
    is: isRedisClient,
    optional: true,
    from: '@framework/cache (app.use(cache({ redis: process.env.REDIS_URL })))',
  },
  rateLimit: { is: isRateLimiter, optional: true, from: "@framework/core's rateLimit() (app.use(rateLimit()))" },
} as const;

const AUTH_OPTIONS = {
  strategies: true,
  roles: true,
  findUser: true,
  serialize: true,
  findOrCreateUser: true,
  owner: true,
  store: true,
  passwords: true,
  realm: true,
  routes: true,
} as const;
const STRATEGY_OPTIONS = { jwt: true, session: true, oauth: true, apiKey: true } as const;

function defaultSerialize(user: object): AuthUser {
  const id: unknown = Reflect.get(user, 'id');
  const roles: unknown = Reflect.get(user, 'roles');
  if (typeof id !== 'string' && typeof id !== 'number') {
    throw new AuthConfigError(
      'auth() could not tell the user\'s id: the user has no string or number "id"; pass serialize: (user) => ({ id, roles }).',
      'FW_AUTH_INVALID_ARGUMENT',
    );
  }
  const list = Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [];
  return { id: String(id), roles: list };
}

/** The strategies and how a route's `auth` value names them. */
function acceptedBy(
  value: unknown,
  configured: readonly StrategyName[],
  route: RouteInfo,
): { accepted: StrategyName[]; optional: boolean } {
  const where = `Route ${route.method} ${route.path} sets auth`;
  let names: readonly unknown[] = configured;
  let optional = false;
  if (Array.isArray(value)) names = value;
  else if (typeof value === 'object' && value !== null) {
    checkOptions(where, value, { strategies: true, optional: true });
    const given: unknown = Reflect.get(value, 'strategies');
    if (given !== undefined) names = Array.isArray(given) ? given : [given];
    optional = Reflect.get(value, 'optional') === true;
  } else if (value !== true) {
    throw new AuthConfigError(
      `${where} to ${String(value)}; write auth: true, auth: ['jwt', 'session'] or auth: { optional: true }.`,
    );
  }
  if (names.length === 0)
    throw new AuthConfigError(`${where} to no strategy; name at least one of ${configured.join(', ')}.`);
  const accepted: StrategyName[] = [];
  for (const name of names) {
    if (typeof name !== 'string' || !configured.some((strategy) => strategy === name)) {
      throw new AuthConfigError(
        `${where} to "${String(name)}", which auth() does not configure; configured: ${configured.join(', ') || 'none'}. Add it to auth({ strategies }) or remove it from the route.`,
      );
    }
    accepted.push(name as StrategyName);
  }
  return { accepted, optional };
}

const plugin = definePlugin({
  name: '@framework/auth',
  requires,
  setup(app, options: AuthOptions<object, AuthUser, unknown>) {
    const strategiesOptions: AuthStrategies = options.strategies;
    const realm = options.realm ?? 'app';
    const store = resolveStore(options.store ?? 'memory', app.redis, 'auth({ store })');
    const sessionStore =
      strategiesOptions.session?.store === undefined
        ? store
        : resolveStore(strategiesOptions.session.store, app.redis, 'auth({ strategies: { session: { store } } })');
    const serialize = options.serialize ?? defaultSerialize;
    const roles = options.roles;
    const tokens = strategiesOptions.jwt === undefined ? undefined : createTokenService(strategiesOptions.jwt, store);
    const sessions =
      strategiesOptions.session === undefined
        ? undefined
        : createSessionService(strategiesOptions.session, sessionStore);
    for (const warning of [...(sessions?.warnings ?? []), ...(tokens?.warnings ?? [])]) {
      app.logger.warn({ plugin: '@framework/auth' }, warning);
    }
    const apiKeys = strategiesOptions.apiKey === undefined ? undefined : createApiKeys(store, strategiesOptions.apiKey);
    const oauth = strategiesOptions.oauth === undefined ? undefined : createOAuth(strategiesOptions.oauth, store);
    const passwords = createPasswords(options.passwords);
    if (tokens?.refreshes === true && options.findUser === undefined) {
      throw new AuthConfigError(
        'auth({ strategies: { jwt: { refresh } } }) needs findUser: a refresh re-reads the user so that role changes take effect. Pass findUser: (id) => db.users.find(id).',
      );
    }
    if (apiKeys !== undefined && options.findUser === undefined) {
      throw new AuthConfigError(
        'auth({ strategies: { apiKey } }) needs findUser: a key acts for its user. Pass findUser: (id) => db.users.find(id).',
      );
    }
    if (oauth !== undefined && options.findOrCreateUser === undefined) {
      throw new AuthConfigError(
        'auth({ strategies: { oauth } }) needs findOrCreateUser: (profile, tokens) => user, to find, link (by linkableEmail(profile)) or create the user of a login.',
      );
    }
    if (oauth !== undefined && sessions === undefined && tokens === undefined) {
      throw new AuthConfigError(
        'auth({ strategies: { oauth } }) needs session or jwt too: a login opens a session or issues tokens.',
      );
    }

    const states = new AuthStates<AuthUser>();
    const loadUser = async (id: string): Promise<AuthUser | undefined> => {
      const full = await options.findUser?.(id);
      return full === undefined ? undefined : serialize(full);
    };
    const strategies: Strategies<AuthUser> = { tokens, sessions, apiKeys, keyOwner: loadUser, realm };
    const configured: StrategyName[] = [];
    if (tokens !== undefined) configured.push('jwt');
    if (sessions !== undefined) configured.push('session');
    if (apiKeys !== undefined) configured.push('apiKey');
    const api = createAuthApi({
      store,
      tokens,
      sessions,
      apiKeys,
      oauth,
      passwords,
      roles,
      serialize,
      limiter: () => app.rateLimit,
    });

    // A check, not a middleware: it runs before the body is read and validated, so a client without
    // credentials gets its 401 without the body being parsed, and learns nothing of the route's schema.
    const guard = (
      route: RouteInfo,
      accepted: StrategyName[],
      optional: boolean,
      required: readonly string[],
    ): RouteCheck => {
      const challenge = challengeFor(accepted, realm);
      const needs = `${route.method} ${route.path} needs authentication (${accepted.join(' or ')})`;
      return {
        check: async (ctx) => {
          const found = await authenticate(ctx, accepted, strategies, states);
          if (!found) {
            if (optional && required.length === 0) return;
            throw new AuthenticationError(
              `${needs}: sign in, or send a valid ${accepted.join(' or ')} credential.`,
              challenge,
            );
          }
          if (required.length > 0) authorize(states.of(ctx), required, roles);
        },
      };
    };
    const authOption = (value: unknown, route: RouteInfo): RouteCheck => {
      const { accepted, optional } = acceptedBy(value, configured, route);
      const required = checkRoutePermissions(route.options.permissions, route, roles);
      return guard(route, accepted, optional, required);
    };
    const permissionsOption = (value: unknown, route: RouteInfo): RouteCheck | undefined => {
      // With `auth` on the same route, its check applies the permissions too.
      if (route.options.auth !== undefined) return undefined;
      if (configured.length === 0) {
        throw new AuthConfigError(
          `Route ${route.method} ${route.path} sets permissions, but auth() configures no jwt, session or apiKey strategy.`,
        );
      }
      return guard(route, configured, false, checkRoutePermissions(value, route, roles));
    };

    mountRoutes(app, { options, tokens, oauth, api, loadUser, states, realm });
    if (oauth !== undefined) app.onReady(() => oauth.init());
    if (typeof options.store !== 'object') app.onClose(() => store.close?.());

    const currentUser = (ctx: Context): AuthUser => {
      const user = states.of(ctx).user;
      if (user === undefined) {
        throw new AuthenticationError(
          `${ctx.method} ${ctx.path} read ctx.user, but nothing authenticated the request: add auth: [...] to the route, or read ctx.auth.user, which may be undefined.`,
          challengeFor(configured, realm),
        );
      }
      return user;
    };
    return {
      decorate: { auth: api },
      context: {
        user: currentUser,
        auth: (ctx: Context): RequestAuth => states.of(ctx),
        login: (ctx: Context) => (user: object, login?: { strategy?: 'session' | 'jwt' }) =>
          api.login(ctx, states.of(ctx), user, login),
        logout: (ctx: Context) => (logout?: { everywhere?: boolean; refreshToken?: string }) =>
          api.logout(ctx, states.of(ctx), logout),
        can: (ctx: Context) => (action: string, resource?: object, kind?: string) =>
          api.can(states.of(ctx), action, resource, kind, options.owner),
      },
      routeOptions: { auth: authOption, permissions: permissionsOption },
      commands: authCommands(api),
      ...(sessions === undefined ? {} : { csrfSession: (ctx: Context) => sessions.idOf(ctx) }),
    };
  },
});

/**
 * Authentication and authorization as a plugin: JWT (with rotating refresh tokens), sessions,
 * OAuth/OIDC logins and API keys, with roles and permissions checked per route. `ctx.user` is
 * typed by your `serialize` (or `{ id, roles }`), with no global declarations. Misconfiguration
 * (a missing secret, a strategy a route names but nobody configured, a permission with a wildcard)
 * fails at start-up with the option and what to write.
 *
 * @example
 * ```ts
 * const roles = defineRoles({ admin: ['*'], user: ['read:*', 'write:own'] });
 * const app = createApp().use(
 *   auth({
 *     strategies: { jwt: { secret: process.env.JWT_SECRET, expiresIn: '15m' }, session: {} },
 *     roles,
 *     findUser: (id) => users.get(id),
 *   }),
 * );
 * app.post('/admin/users', { auth: ['jwt'], permissions: ['admin'], handler: (ctx) => ({ by: ctx.user.id }) });
 * ```
 */
function authPlugin<
  Full extends object = AuthUser,
  U extends AuthUser = AuthUser,
  const S extends AuthStrategies = AuthStrategies,
  R = unknown,
>(
  options: AuthOptions<Full, U, R> & { strategies: S },
): PluginInstance<AuthExports<Full, U, S, R>, RequiredDecorations<typeof requires>> {
  checkOptions('auth()', options, AUTH_OPTIONS);
  checkOptions<AuthStrategies>('auth({ strategies })', options.strategies, STRATEGY_OPTIONS);
  // The plugin's runtime is generic in the user only through these functions, which it calls with
  // the values it got from them: the wrapper's types are what users see.
  return plugin(options as unknown as AuthOptions<object, AuthUser, unknown>) as unknown as PluginInstance<
    AuthExports<Full, U, S, R>,
    RequiredDecorations<typeof requires>
  >;
}

/**
 * `auth(options)` registers the plugin; `auth.defineRoles(...)` is `defineRoles`, as the spec
 * writes it: pass its result as `auth({ roles })`.
 *
 * @example
 * ```ts
 * const roles = auth.defineRoles({ admin: ['*'], moderator: ['read:*', 'write:posts'], user: ['read:*'] });
 * app.use(auth({ strategies: { session: {} }, roles }));
 * ```
 */
export const auth = Object.assign(authPlugin, { defineRoles });
