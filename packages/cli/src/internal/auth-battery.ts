import type { Battery } from './battery.ts';

/** The accounts module `framework add auth` writes: the user type and a store in memory. */
const USERS_MODULE = `import { ConflictError } from '@framework/core';

/** A user: what the API shows (id, email, role) and the password's argon2id hash, which it never shows. */
export interface User {
  id: number;
  email: string;
  /** \`user\` at sign-up; \`admin\` may call the admin routes. */
  role: string;
  passwordHash: string;
}

/**
 * The accounts, in memory: gone when the process stops and not shared between instances. Keep them
 * in a table (@framework/db) before real users sign up; auth() only needs find().
 */
export function createUsers() {
  const users = new Map<number, User>();
  const byEmail = async (email: string) => [...users.values()].find((user) => user.email === email);
  return {
    list: async () => [...users.values()].map(({ id, email, role }) => ({ id, email, role })),
    find: async (id: number) => users.get(id),
    findByEmail: byEmail,
    add: async (input: { email: string; passwordHash: string }): Promise<User> => {
      if ((await byEmail(input.email)) !== undefined) throw new ConflictError(\`\${input.email} has an account already.\`);
      const user = { id: users.size + 1, role: 'user', ...input };
      users.set(user.id, user);
      return user;
    },
  };
}
`;

/** The routes `framework add auth` adds before the app is returned (the app is `app`, the config `config`). */
const ROUTES = `
// Accounts: sign up, log in (a session cookie; tokens with {"strategy":"jwt"}), log out, who am I.
const users = createUsers();
const Credentials = z.object({ email: z.email().max(254), password: z.string().min(8).max(1024) });
app.post('/auth/signup', {
  schema: { body: Credentials },
  status: 201,
  handler: async (ctx) => {
    const { email, password } = ctx.body;
    if ((await users.findByEmail(email)) !== undefined) {
      throw new ConflictError('This email has an account already; log in at POST /auth/login.');
    }
    const user = await users.add({ email, passwordHash: await app.auth.passwords.hash(password) });
    return { id: user.id, email: user.email, role: user.role };
  },
});
app.post('/auth/login', {
  schema: { body: z.object({ email: z.string(), password: z.string().max(1024), strategy: z.enum(['session', 'jwt']).optional() }) },
  handler: async (ctx) => {
    const { email, password, strategy } = ctx.body;
    const user = await users.findByEmail(email);
    // As slow for an unknown email as for a wrong password, so the answer does not tell which exist.
    const { ok } = await app.auth.verifyPassword(ctx, { account: email, stored: user?.passwordHash, password });
    if (!ok || user === undefined) throw new UnauthorizedError('Wrong email or password.');
    const login = await ctx.login(user, { strategy });
    return login.tokens ?? { user: login.user };
  },
});
app.post('/auth/logout', {
  auth: true,
  handler: async (ctx) => {
    await ctx.logout();
    return { loggedOut: true };
  },
});
app.get('/me', { auth: true, handler: (ctx) => ctx.user });
// A page or SPA signed in with the session cookie sends this token in x-csrf-token with each POST, PUT or DELETE.
app.get('/auth/csrf', (ctx) => ({ token: ctx.csrfToken }));
// Admins only: anyone else gets 403. Make one by setting a user's role to 'admin'.
app.get('/admin/users', { auth: true, permissions: ['admin'], handler: () => users.list() });
`;

/**
 * Internal: @framework/auth as `framework add auth` wires it: sessions (in Redis when the app has
 * the cache and REDIS_URL is set) and JWTs, accounts in memory (`src/users.ts`), sign-up, login,
 * logout, `/me` and an admin-only route, the secrets in the env schema and `config.auth`.
 */
export const authBattery: Battery = {
  package: '@framework/auth',
  factory: 'auth',
  use: ({ cache, redisConfig }) =>
    [
      'auth({',
      '  strategies: {',
      // In Redis exactly when the cache has it: from the config when the cache is given it, else REDIS_URL.
      `    session: { store: ${cache ? `${redisConfig ? 'config.redis.url' : 'process.env.REDIS_URL'} ? 'redis' : 'memory'` : "'memory'"}, secret: config.auth.sessionSecret },`,
      "    jwt: { secret: config.auth.jwtSecret ?? (process.env.NODE_ENV === 'production' ? undefined : randomBytes(48).toString('base64url')) },",
      '  },',
      '  findUser: (id) => users.find(Number(id)),',
      '  serialize: (user: User) => ({ id: String(user.id), email: user.email, roles: [user.role] }),',
      '})',
    ].join('\n'),
  env: { SESSION_SECRET: 'z.string().min(32).optional()', JWT_SECRET: 'z.string().min(32).optional()' },
  example: [
    '# Sign the session cookies and the access tokens: 32+ random characters each, the same on every',
    '# instance (required in production). Make one with: openssl rand -base64 48',
    '# SESSION_SECRET=',
    '# JWT_SECRET=',
  ],
  directories: [],
  next: 'POST /auth/signup and /auth/login, then GET /me. The accounts are in memory (src/users.ts): keep them in a table (@framework/db) before real users sign up.',
  wiring: {
    imports: [
      { from: 'node:crypto', names: ['randomBytes'] },
      { from: '@framework/core', names: ['ConflictError', 'UnauthorizedError'] },
      { from: 'zod', names: ['z'] },
      { file: 'src/users.ts', names: ['createUsers', 'type User'] },
    ],
    statements: ROUTES,
    routes: ['/auth/signup', '/auth/login', '/auth/logout', '/me', '/auth/csrf', '/admin/users'],
    declares: ['users', 'Credentials'],
    shared: { key: 'auth', code: '{ sessionSecret: env.SESSION_SECRET, jwtSecret: env.JWT_SECRET }' },
    files: [{ path: 'src/users.ts', text: USERS_MODULE }],
  },
};
