import type { Feature } from './types.ts';

/** The batteries chosen with auth that change what it generates. */
export interface AuthWith {
  /** @framework/db: the accounts live in a `users` table, else in memory. */
  db: boolean;
  /** @framework/cache: sessions live in Redis when REDIS_URL is set, else in this process. */
  cache: boolean;
}

const secret = (name: string, what: string, bytes: number) => ({
  name,
  schema: 'z.string().min(32).optional()',
  example: [
    `# ${what}: 32+ random characters, the same on every instance (required in production;`,
    `# development and tests make one at each start). Make one with: openssl rand -base64 ${bytes}`,
    `# ${name}=`,
  ],
  requiredInProduction: `Required in production (32+ random characters, the same on every instance): make one with openssl rand -base64 ${bytes}`,
});

const ROUTES = [
  '',
  '// Accounts: sign up, log in (a session cookie; tokens with {"strategy":"jwt"}), log out, who am I.',
  'const Credentials = z.object({ email: z.email().max(254), password: z.string().min(8).max(1024) });',
  "app.post('/auth/signup', {",
  '  schema: { body: Credentials },',
  '  status: 201,',
  '  handler: async (ctx) => {',
  '    const { email, password } = ctx.body;',
  '    if ((await users.findByEmail(email)) !== undefined) {',
  "      throw new ConflictError('This email has an account already; log in at POST /auth/login.');",
  '    }',
  '    return toAccount(await users.add({ email, passwordHash: await app.auth.passwords.hash(password) }));',
  '  },',
  '});',
  "app.post('/auth/login', {",
  '  schema: {',
  "    body: z.object({ email: z.string(), password: z.string().max(1024), strategy: z.enum(['session', 'jwt']).optional() }),",
  '  },',
  '  handler: async (ctx) => {',
  '    const { email, password, strategy } = ctx.body;',
  '    const user = await users.findByEmail(email);',
  '    // As slow for an unknown email as for a wrong password, so the answer does not tell which exist.',
  '    const { ok } = await app.auth.verifyPassword(ctx, { account: email, stored: user?.passwordHash, password });',
  "    if (!ok || user === undefined) throw new UnauthorizedError('Wrong email or password.');",
  '    const login = await ctx.login(user, { strategy });',
  '    return login.tokens ?? { user: login.user };',
  '  },',
  '});',
  "app.post('/auth/logout', {",
  '  auth: true,',
  '  handler: async (ctx) => {',
  '    await ctx.logout();',
  '    return { loggedOut: true };',
  '  },',
  '});',
  "app.get('/me', { auth: true, handler: (ctx) => ctx.user });",
  '// A page or SPA signed in with the session cookie sends this token in x-csrf-token with each POST, PUT or DELETE.',
  "app.get('/auth/csrf', (ctx) => ({ token: ctx.csrfToken }));",
  "// Admins only: anyone else gets 403. Make one by setting a user's role to 'admin'.",
  "app.get('/admin/users', { auth: true, permissions: ['admin'], handler: () => users.list() });",
];

const TESTS = [
  '',
  "it('signs up, logs in and answers /me with the user', async () => {",
  '  const api = app();',
  "  const ada = { email: 'ada@example.com', password: 'correct horse battery staple' };",
  "  const signup = await api.request('/auth/signup', json(ada));",
  '  expect(signup.status).toBe(201);',
  "  expect(await signup.json()).toEqual({ id: 1, email: ada.email, role: 'user' });",
  "  expect((await api.request('/auth/signup', json(ada))).status).toBe(409);",
  "  expect((await api.request('/me')).status).toBe(401);",
  "  expect((await api.request('/auth/login', json({ ...ada, password: 'not the password' }))).status).toBe(401);",
  '',
  "  const login = await api.request('/auth/login', json({ ...ada, strategy: 'jwt' }));",
  '  expect(login.status).toBe(200);',
  '  const { accessToken } = z.object({ accessToken: z.string() }).parse(await login.json());',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a line of the generated test, where it is a template string.
  '  const bearer = { headers: { authorization: `Bearer ${accessToken}` } };',
  "  const me = await api.request('/me', bearer);",
  '  expect(me.status).toBe(200);',
  "  expect(await me.json()).toMatchObject({ id: '1', email: ada.email, roles: ['user'] });",
  "  expect((await api.request('/admin/users', bearer)).status).toBe(403);",
  '',
  "  const session = await api.request('/auth/login', json(ada));",
  "  const cookie = session.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');",
  "  expect(await (await api.request('/me', { headers: { cookie } })).json()).toMatchObject({ email: ada.email });",
  '  // A cookie-authenticated POST needs the CSRF token of this session.',
  "  expect((await api.request('/auth/logout', { method: 'POST', headers: { cookie } })).status).toBe(403);",
  "  const csrf = await api.request('/auth/csrf', { headers: { cookie } });",
  '  const { token } = z.object({ token: z.string() }).parse(await csrf.json());',
  "  const withCsrf = [cookie, ...csrf.headers.getSetCookie().map((line) => line.split(';')[0])].join('; ');",
  "  const logout = await api.request('/auth/logout', { method: 'POST', headers: { cookie: withCsrf, 'x-csrf-token': token } });",
  '  expect(logout.status).toBe(200);',
  "  expect((await api.request('/me', { headers: { cookie } })).status).toBe(401);",
  '',
  "  expect((await api.request('/auth/logout', { method: 'POST', ...bearer })).status).toBe(200);",
  "  expect((await api.request('/me', bearer)).status).toBe(401);",
  '});',
];

/**
 * @framework/auth: accounts with argon2id passwords, logins that open a session (a signed cookie)
 * or issue JWTs, `/me`, and an admin-only route. The accounts live in a `users` table with the db
 * battery, else in memory; sessions in Redis with the cache battery and REDIS_URL, else in memory.
 */
export function authBattery(chosen: AuthWith): Feature {
  const sessionStore = chosen.cache ? "config.redis.url ? 'redis' : 'memory'" : "'memory'";
  return {
    package: '@framework/auth',
    layers: chosen.db ? ['auth', 'auth-db'] : ['auth'],
    imports: [
      "import { randomBytes } from 'node:crypto';",
      "import { auth } from '@framework/auth';",
      "import { ConflictError, UnauthorizedError } from '@framework/core';",
      "import { toAccount, type User, type Users } from './accounts.ts';",
      "import { createUsers } from './users.ts';",
    ],
    plugin: {
      comment: [
        chosen.cache
          ? '// Sessions in Redis at REDIS_URL (every instance sees them), in memory without it; JWTs for API clients.'
          : '// Sessions in this process (a restart logs everyone out); JWTs for API clients.',
      ],
      use: [
        'auth({',
        '  strategies: {',
        `    session: { store: ${sessionStore}, secret: config.auth.sessionSecret },`,
        '    // Without JWT_SECRET (development, tests) a key made at start: tokens end with the process.',
        "    jwt: { secret: config.auth.jwtSecret ?? randomBytes(48).toString('base64url') },",
        '  },',
        '  findUser: (id) => users.find(Number(id)),',
        '  serialize: (user: User) => ({ id: String(user.id), email: user.email, roles: [user.role] }),',
        '}),',
      ],
    },
    ...(chosen.db
      ? {
          table: {
            name: 'users',
            code: [
              '',
              '/** The accounts; `migrations/002_create_users.up.sql` creates the table. */',
              "export const users = table('users', {",
              '  id: serial().primaryKey(),',
              '  email: varchar({ length: 254 }).notNull().unique(),',
              "  passwordHash: varchar('password_hash', { length: 255 }).notNull(),",
              "  role: varchar({ length: 20 }).notNull().default('user'),",
              "  createdAt: timestamp('created_at').notNull().defaultNow(),",
              '});',
            ],
          },
        }
      : {}),
    setup: [
      '',
      chosen.db ? '// The accounts, in the users table.' : '// The accounts, in memory (src/users.ts).',
      // Typed, so that auth() above can name it in findUser before this line runs.
      `const users: Users = createUsers(${chosen.db ? 'app.db' : ''});`,
    ],
    created: [],
    routes: ROUTES,
    env: [
      secret('SESSION_SECRET', 'Signs the session cookies', 32),
      secret('JWT_SECRET', 'Signs the access tokens', 48),
    ],
    secrets: ['SESSION_SECRET', 'JWT_SECRET'],
    shared: { auth: '{ sessionSecret: env.SESSION_SECRET, jwtSecret: env.JWT_SECRET }' },
    test: {},
    testImports: [],
    testModules: ["import { z } from 'zod';"],
    tests: TESTS,
    dockerCopy: [],
    readme: {
      paths: [
        '| `src/accounts.ts`, `src/users.ts` | the accounts (@framework/auth): what the API shows of a user, and where they are kept |',
      ],
      settings: [
        '**Accounts** (@framework/auth): `POST /auth/signup` with `{"email","password"}` makes an account',
        '(the password kept as an argon2id hash), `POST /auth/login` opens a session in a signed cookie, or',
        'with `"strategy":"jwt"` answers an access token to send as `Authorization: Bearer <token>`.',
        '`GET /me` answers the logged-in user, `POST /auth/logout` ends the session or revokes the token,',
        "and `GET /admin/users` answers admins only (a user whose `role` is `'admin'`), 403 to anyone else.",
        ...(chosen.db
          ? ['The accounts live in the `users` table (`migrations/002_create_users.up.sql`).']
          : [
              'The accounts live **in memory** (`src/users.ts`): they are gone when the process stops and',
              'each instance has its own. Add `@framework/db` and keep them in a `users` table before real',
              'users sign up.',
            ]),
        chosen.cache
          ? 'Sessions live in Redis when `REDIS_URL` is set, so every instance sees them; in the process without it.'
          : 'Sessions live in the process: a restart logs everyone out, and each instance has its own.',
        '`SESSION_SECRET` signs the session cookies and `JWT_SECRET` the tokens (32+ random characters each,',
        'the same on every instance: `openssl rand -base64 48`). Production requires both; development and',
        "tests make new ones at each start. To block password guessing, register core's",
        "`rateLimit({ suspicious: { failedLogins: { max: 5, window: '15m' } } })` before `auth()`: the",
        'login then counts wrong passwords per client and per account.',
      ],
    },
  };
}
