import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { create, removeTempDirs, tempDir, WORKSPACE } from './helpers.ts';

afterAll(removeTempDirs);

const workspaceVersion = (name: string) =>
  JSON.parse(readFileSync(join(WORKSPACE, 'packages', name, 'package.json'), 'utf8')).version as string;

async function generate(args: string[]) {
  const cwd = tempDir();
  const result = await create(['project', ...args, '--yes', '--no-install'], cwd);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const root = join(cwd, 'project');
  const read = (file: string) => readFileSync(join(root, file), 'utf8');
  const files = result.stdout.match(/: (\d+) files\./)?.[1];
  return { root, read, stdout: result.stdout, fileCount: Number(files) };
}

const API_FILES = [
  '.dockerignore',
  '.env.example',
  '.gitignore',
  'Dockerfile',
  'README.md',
  'deploy/haproxy.cfg',
  'framework.config.ts',
  'package.json',
  'src/app.ts',
  'src/main.ts',
  'src/notes.ts',
  'test/app.test.ts',
  'tsconfig.build.json',
  'tsconfig.json',
  'vitest.config.ts',
];

function expectFilled(text: string) {
  expect(text).not.toMatch(/\{\{|@fw:/);
}

describe('templates', () => {
  it('api: the app layout the framework CLI expects, its scripts and dependencies', async () => {
    const { read, fileCount } = await generate(['--template', 'api']);
    expect(fileCount).toBe(API_FILES.length);
    for (const file of API_FILES) expectFilled(read(file));
    const manifest = JSON.parse(read('package.json'));
    expect(manifest).toMatchObject({
      name: 'project',
      private: true,
      type: 'module',
      engines: { node: '>=20.19' },
      framework: { app: 'src/app.ts', main: 'src/main.ts', build: 'dist' },
      scripts: { dev: 'framework dev', build: 'framework build', start: 'framework start', test: 'framework test' },
      devDependencies: {
        typescript: expect.any(String),
        vitest: expect.any(String),
        '@types/node': expect.any(String),
      },
    });
    expect(manifest.dependencies).toEqual({
      '@framework/cli': `^${workspaceVersion('cli')}`,
      '@framework/core': `^${workspaceVersion('core')}`,
      zod: expect.stringMatching(/^\^4\./),
    });
    expect(read('src/app.ts')).toContain(
      'export function buildApp() {\n  const app = createApp({ cookies: { secret: config.cookies.secret }, trustProxy: config.server.trustProxy });\n',
    );
    expect(read('framework.config.ts')).toContain("secrets: ['COOKIE_SECRET'],");
    expect(read('framework.config.ts')).toContain("path: ['COOKIE_SECRET']");
    expect(read('src/main.ts')).toContain("gracefulShutdown: { timeout: '30s' },");
    expect(read('framework.config.ts')).toContain(
      'const Env = z\n  .object({\n    NODE_ENV: z.string().optional(),\n    PORT:',
    );
    expect(read('framework.config.ts')).not.toMatch(/DATABASE_URL|REDIS_URL|test:/);
    expect(read('Dockerfile')).toContain('CMD ["node", "dist/src/main.js"]');
    expect(read('Dockerfile')).toMatch(/USER framework/);
    expect(read('.gitignore')).toContain('node_modules/');
    expect(read('deploy/haproxy.cfg')).toContain('option httpchk GET /health/ready');
  });

  it('api with db, cache and queue: each battery registered in order and configured from the environment', async () => {
    const { read, fileCount } = await generate(['--template', 'api', '--packages', 'queue,db,cache']);
    expect(fileCount).toBe(API_FILES.length + 3);
    for (const file of [...API_FILES, 'src/schema.ts', 'migrations/001_create_notes.up.sql']) expectFilled(read(file));
    const manifest = JSON.parse(read('package.json'));
    for (const name of ['db', 'cache', 'queue']) {
      expect(manifest.dependencies[`@framework/${name}`]).toBe(`^${workspaceVersion(name)}`);
    }
    const app = read('src/app.ts');
    expect(app).toContain(
      "import { cache } from '@framework/cache';\nimport { RedisRateLimitStore } from '@framework/cache/redis';\nimport { createApp, MemoryRateLimitStore, NotFoundError, rateLimit } from '@framework/core';",
    );
    expect(app).toContain('store: app.redis ? new RedisRateLimitStore(app.redis) : new MemoryRateLimitStore(),');
    expect(app).toContain(
      "import config from '../framework.config.ts';\nimport { createNotes } from './notes.ts';\nimport { schema } from './schema.ts';",
    );
    const order = ['    database({', '.use(cache(', '    queue({'].map((use) => app.indexOf(use));
    expect(order.every((index) => index > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(app).toContain('const notes = createNotes(app.db);');
    expect(app).toContain("await ctx.queues.default.add('noteCreated'");
    expect(app).toContain("ctx.cache.wrap('notes'");
    const config = read('framework.config.ts');
    expect(config).toContain('DATABASE_URL: z.url().optional(),');
    expect(config.match(/REDIS_URL: /g)).toHaveLength(1);
    expect(config).toContain("path: ['DATABASE_URL']");
    expect(config).toContain("path: ['REDIS_URL']");
    expect(config).toContain('test: { database: { url: undefined }, redis: { url: undefined } },');
    expect(read('.env.example')).toContain('# DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/project');
    expect(read('Dockerfile')).toContain('COPY --chown=framework:nodejs migrations ./migrations');
    expect(read('test/app.test.ts')).toContain("it('runs a job for each new note'");
    expect(read('README.md')).toContain(
      'An API on [framework](https://www.npmjs.com/package/@framework/core) with @framework/db, @framework/cache and @framework/queue.',
    );
  });

  it('api with auth and db: a users table and its migration, secrets required in production, the auth routes', async () => {
    const { read, fileCount } = await generate(['--template', 'api', '--packages', 'auth,db']);
    const added = [
      'src/schema.ts',
      'src/accounts.ts',
      'src/users.ts',
      'migrations/001_create_notes.up.sql',
      'migrations/002_create_users.up.sql',
      'migrations/002_create_users.down.sql',
    ];
    expect(fileCount).toBe(API_FILES.length + added.length + 1);
    for (const file of [...API_FILES, ...added]) expectFilled(read(file));
    expect(JSON.parse(read('package.json')).dependencies['@framework/auth']).toBe(`^${workspaceVersion('auth')}`);
    const app = read('src/app.ts');
    expect(app).toContain("session: { store: 'memory', secret: config.auth.sessionSecret },");
    expect(app).toContain('findUser: (id) => users.find(Number(id)),');
    expect(app).toContain('const users: Users = createUsers(app.db);');
    for (const route of ["'/auth/signup'", "'/auth/login'", "'/auth/logout'", "'/me'"]) expect(app).toContain(route);
    expect(app).toContain("app.get('/admin/users', { auth: true, permissions: ['admin'],");
    expect(app.indexOf('    database({')).toBeLessThan(app.indexOf('      auth({'));
    expect(read('src/schema.ts')).toContain('export const schema = { notes, users };');
    expect(read('migrations/002_create_users.up.sql')).toContain('email varchar(254) not null unique');
    const config = read('framework.config.ts');
    for (const name of ['SESSION_SECRET', 'JWT_SECRET']) {
      expect(config).toContain(`${name}: z.string().min(32).optional(),`);
      expect(config).toContain(`path: ['${name}']`);
    }
    expect(config).toContain("secrets: ['COOKIE_SECRET', 'SESSION_SECRET', 'JWT_SECRET'],");
    expect(read('.env.example')).toContain('Make one with: openssl rand -base64 48\n# JWT_SECRET=');
    expect(read('README.md')).toContain('The accounts live in the `users` table');
  });

  it('api with auth and cache, no db: accounts in memory, as the README says, and sessions in Redis', async () => {
    const { read } = await generate(['--template', 'api', '--packages', 'cache,auth']);
    expect(read('src/app.ts')).toContain("session: { store: config.redis.url ? 'redis' : 'memory',");
    expect(read('src/app.ts')).toContain('const users: Users = createUsers();');
    expect(read('src/users.ts')).toContain('export function createUsers(): Users {');
    expect(read('README.md')).toContain('The accounts live **in memory** (`src/users.ts`)');
  });

  it('fullstack: the api plus a page in public/ and the route that serves it', async () => {
    const { read, fileCount } = await generate(['--template', 'fullstack']);
    const files = [...API_FILES, 'public/index.html', 'public/assets/app.js', 'public/assets/style.css', 'src/site.ts'];
    expect(fileCount).toBe(files.length);
    for (const file of files) expectFilled(read(file));
    expect(read('public/index.html')).toContain('<title>project</title>');
    expect(read('README.md')).toContain('A web app (an API and a page) on [framework]');
    expect(read('src/app.ts')).toContain("app.get('/', (ctx) => ctx.html(site.page(ctx.csrfToken)));");
    expect(read('src/app.ts')).toContain(
      'createApp({ cookies: { secret: config.cookies.secret }, trustProxy: config.server.trustProxy })',
    );
    expect(read('framework.config.ts')).toContain("secrets: ['COOKIE_SECRET'],");
    expect(read('Dockerfile')).toContain('COPY --chown=framework:nodejs public ./public');
  });

  it('plugin: a publishable package with @framework/core as a peer dependency', async () => {
    const cwd = tempDir();
    const result = await create(['framework-plugin-audit-log', '--template', 'plugin', '--yes', '--no-install'], cwd);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('npm test\n  npm run build');
    const read = (file: string) => readFileSync(join(cwd, 'framework-plugin-audit-log', file), 'utf8');
    for (const file of [
      'README.md',
      'src/index.ts',
      'test/index.test.ts',
      'tsconfig.json',
      'tsconfig.build.json',
      '.gitignore',
    ]) {
      expectFilled(read(file));
    }
    const manifest = JSON.parse(read('package.json'));
    expect(manifest).toMatchObject({
      name: 'framework-plugin-audit-log',
      keywords: expect.arrayContaining(['framework-plugin']),
      type: 'module',
      files: ['dist', 'README.md'],
      exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
      peerDependencies: { '@framework/core': `>=${workspaceVersion('core')} <1.0.0` },
      devDependencies: { '@framework/core': `^${workspaceVersion('core')}` },
    });
    expect(manifest.dependencies).toBeUndefined();
    expect(read('src/index.ts')).toContain(
      "export const auditLog = definePlugin({\n  name: 'framework-plugin-audit-log',",
    );
    expect(read('src/index.ts')).toContain('export interface AuditLogOptions {');
  });

  it('never leaves a workspace: range or an unfilled placeholder in what it writes', async () => {
    const { read } = await generate(['--template', 'fullstack', '--packages', 'db,cache,queue,auth']);
    expect(read('package.json')).not.toContain('workspace:');
  });
});
