import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, FIXTURE, runCli } from './helpers.ts';

const apps: Awaited<ReturnType<typeof copyFixture>>[] = [];
async function fixture(): Promise<string> {
  const app = await copyFixture();
  apps.push(app);
  return app.root;
}
afterAll(async () => {
  await Promise.all(apps.map((app) => app.remove()));
});

// The app's own tests, as a user would keep them: one that holds with auth and without it, and one
// for the accounts, written once auth is there and deleted with it.
const APP_TEST = `import { expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';

it('answers', async () => {
  const app = buildApp();
  try {
    expect(await (await app.request('/')).json()).toEqual({ message: 'fixture v1' });
  } finally {
    await app.stop();
  }
});
`;
const AUTH_TEST = `import { expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';

it('signs up, logs in and answers /me with the user', async () => {
  const app = buildApp();
  const post = (path: string, body: object) =>
    app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  try {
    const ada = { email: 'ada@example.com', password: 'correct horse battery staple' };
    expect((await post('/auth/signup', ada)).status).toBe(201);
    expect((await post('/auth/signup', ada)).status).toBe(409);
    expect((await post('/auth/login', { ...ada, password: 'not the password' })).status).toBe(401);
    const body: unknown = await (await post('/auth/login', { ...ada, strategy: 'jwt' })).json();
    const token = typeof body === 'object' && body !== null ? Reflect.get(body, 'accessToken') : undefined;
    const headers = { authorization: 'Bearer ' + String(token) };
    expect(await (await app.request('/me', { headers })).json()).toMatchObject({ email: ada.email, roles: ['user'] });
    expect((await app.request('/admin/users', { headers })).status).toBe(403);
    expect((await app.request('/me')).status).toBe(401);
  } finally {
    await app.stop();
  }
});
`;

let root = '';
beforeAll(async () => {
  root = await fixture();
  await mkdir(join(root, 'test'), { recursive: true });
  await writeFile(
    join(root, 'vitest.config.ts'),
    `import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 30_000 } });
`,
  );
  await writeFile(join(root, 'test', 'app.test.ts'), APP_TEST);
});

describe('framework add auth, then framework remove auth', () => {
  it('leave an app that builds and passes its tests each time, and the app module as it was', async () => {
    const source = join(root, 'src', 'app.ts');
    const config = join(root, 'framework.config.ts');
    const original = await readFile(source, 'utf8');

    const added = await runCli(['add', 'auth', '--no-install'], { cwd: root });
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(
      'framework add: registered auth(...) in src/app.ts\nframework add: wrote src/users.ts\n',
    );
    expect(added.stdout).toContain('SESSION_SECRET, JWT_SECRET added to the env schema in framework.config.ts');
    const app = await readFile(source, 'utf8');
    expect(app).toContain("import { auth } from '@framework/auth';\n");
    expect(app).toContain("import { createApp, ConflictError, UnauthorizedError } from '@framework/core';\n");
    expect(app).toContain(
      "session: { store: process.env.REDIS_URL ? 'redis' : 'memory', secret: config.auth.sessionSecret },",
    );
    for (const route of [
      "app.post('/auth/signup'",
      "app.post('/auth/login'",
      "app.post('/auth/logout'",
      "app.get('/me'",
    ]) {
      expect(app).toContain(route);
    }
    expect(app).toContain("app.get('/admin/users', { auth: true, permissions: ['admin'],");
    expect(app.indexOf("app.get('/admin/users'")).toBeLessThan(app.indexOf('return app;'));
    expect(await readFile(config, 'utf8')).toContain(
      'auth: { sessionSecret: env.SESSION_SECRET, jwtSecret: env.JWT_SECRET },',
    );
    expect(await readFile(join(root, 'src', 'users.ts'), 'utf8')).toContain('export function createUsers() {');
    expect(JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).dependencies).toEqual({
      '@framework/auth': 'latest',
    });
    await writeFile(join(root, 'test', 'auth.test.ts'), AUTH_TEST);

    const builtWithAuth = await runCli(['build'], { cwd: root, timeoutMs: 120_000 });
    expect(builtWithAuth.code, builtWithAuth.stdout + builtWithAuth.stderr).toBe(0);
    const testedWithAuth = await runCli(['test'], { cwd: root, timeoutMs: 120_000 });
    expect(testedWithAuth.stdout, testedWithAuth.stderr).toMatch(/Tests +2 passed \(2\)/);
    expect(testedWithAuth.code).toBe(0);
    const routes = await runCli(['routes'], { cwd: root });
    expect(routes.stdout).toMatch(/\nGET +\/admin\/users +0 +- +auth,permissions\n/);

    const removed = await runCli(['remove', 'auth', '--no-install'], { cwd: root });
    expect(removed.stderr).toBe('');
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('framework remove: deleted src/users.ts\n');
    expect(await readFile(source, 'utf8')).toBe(original);
    expect(existsSync(join(root, 'src', 'users.ts'))).toBe(false);
    expect(await readFile(config, 'utf8')).not.toMatch(/SESSION_SECRET|JWT_SECRET|auth/);
    expect(JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).dependencies).toEqual({});
    await rm(join(root, 'test', 'auth.test.ts'));

    const built = await runCli(['build'], { cwd: root, timeoutMs: 120_000 });
    expect(built.code, built.stdout + built.stderr).toBe(0);
    const tested = await runCli(['test'], { cwd: root, timeoutMs: 120_000 });
    expect(tested.stdout, tested.stderr).toMatch(/Tests +1 passed \(1\)/);
    expect(tested.code).toBe(0);
  }, 300_000);

  it('remove keeps a changed accounts module and lists the code that still uses ctx.user, exiting 1', async () => {
    const other = await fixture();
    expect((await runCli(['add', 'auth', '--no-install'], { cwd: other })).code).toBe(0);
    const source = join(other, 'src', 'app.ts');
    const app = await readFile(source, 'utf8');
    await writeFile(
      source,
      app.replace('  return app;', "  app.get('/mine', { auth: true, handler: (ctx) => ctx.user });\n  return app;"),
    );
    await writeFile(
      join(other, 'src', 'users.ts'),
      `// mine now\n${await readFile(join(other, 'src', 'users.ts'), 'utf8')}`,
    );

    const { code, stdout, stderr } = await runCli(['remove', 'auth', '--no-install'], { cwd: other });
    expect(stdout).toContain(
      'framework remove: src/users.ts was changed, so it stays; delete it when nothing needs it',
    );
    expect(existsSync(join(other, 'src', 'users.ts'))).toBe(true);
    expect(stderr).toMatch(
      /^framework remove: code still uses what auth provided; change it before the next build:\n {2}src\/app\.ts:\d+: app\.get\('\/mine', \{ auth: true, handler: \(ctx\) => ctx\.user \}\);\n$/,
    );
    expect(code).toBe(1);
    expect(await readFile(join(FIXTURE, 'src', 'app.ts'), 'utf8')).not.toContain('auth');
  });
});
