import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, runCli } from './helpers.ts';

let app: Awaited<ReturnType<typeof copyFixture>>;
beforeAll(async () => {
  app = await copyFixture();
});
afterAll(async () => {
  await app.remove();
});

/** Runs the app's TypeScript over everything, generated tests included; resolves to its exit code and output. */
function typecheck(root: string): Promise<{ code: number | null; output: string }> {
  const tsc = join(createRequire(import.meta.url).resolve('typescript/package.json'), '..', 'bin', 'tsc');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', 'tsconfig.json', '--noEmit'], { cwd: root });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('framework generate:*', () => {
  it('generate:route and generate:model write modules and tests that compile and pass', async () => {
    const route = await runCli(['generate:route', 'blog-posts'], { cwd: app.root });
    expect(route.code).toBe(0);
    expect(route.stdout).toBe(
      'created src/routes/blog-posts.ts\ncreated test/routes/blog-posts.test.ts\n' +
        "Register them in src/app.ts: import { blogPostsRoutes } from './routes/blog-posts.ts'; then call blogPostsRoutes(app).\n",
    );
    const model = await runCli(['generate:model', 'BlogPost'], { cwd: app.root });
    expect(model.code).toBe(0);
    expect(model.stdout).toBe('created src/models/blog-post.ts\ncreated test/models/blog-post.test.ts\n');

    const checked = await typecheck(app.root);
    expect(checked.output).toBe('');
    expect(checked.code).toBe(0);

    const tested = await runCli(['test'], { cwd: app.root, timeoutMs: 120_000 });
    expect(tested.code).toBe(0);
    expect(tested.stdout).toMatch(/Tests +6 passed \(6\)/);
  });

  it('a generated route registered on an app with plugins compiles and is listed by framework routes', async () => {
    const source = join(app.root, 'src', 'app.ts');
    const text = await readFile(source, 'utf8');
    await writeFile(
      source,
      text
        .replace(
          "import { greeter } from './greeter.ts';",
          "import { greeter } from './greeter.ts';\nimport { blogPostsRoutes } from './routes/blog-posts.ts';",
        )
        .replace('  return app;', '  blogPostsRoutes(app);\n  return app;'),
    );
    const checked = await typecheck(app.root);
    expect(checked.output).toBe('');
    const listed = await runCli(['routes'], { cwd: app.root });
    expect(listed.stdout).toMatch(/^POST +\/blog-posts +0 +body,response +- +Create a blog-posts entry$/m);
    expect(listed.stdout).toMatch(/^GET +\/blog-posts\/:id +0 +params,response +- +Read one blog-posts entry$/m);
  });

  it('refuses to overwrite: nothing is written when a file exists', async () => {
    const path = join(app.root, 'src', 'routes', 'blog-posts.ts');
    const before = await readFile(path, 'utf8');
    const again = await runCli(['generate:route', 'blogPosts'], { cwd: app.root });
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      'framework generate:route: src/routes/blog-posts.ts, test/routes/blog-posts.test.ts already exist; nothing was written. Pick another name or remove them first.\n',
    );
    expect(await readFile(path, 'utf8')).toBe(before);
  });

  it('a name with no letters is a usage error', async () => {
    const { code, stderr } = await runCli(['generate:model', '123'], { cwd: app.root });
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(
      'framework generate:model: "123" cannot name generated code: use letters, e.g. User or BlogPost.',
    );
    expect(existsSync(join(app.root, 'src', 'models', '123.ts'))).toBe(false);
  });

  it('generate:migration needs the database plugin and says so', async () => {
    const { code, stderr } = await runCli(['generate:migration', 'add_users'], { cwd: app.root });
    expect(code).toBe(1);
    expect(stderr).toBe(
      "framework generate:migration: The app has no migrations: register @framework/db's database() plugin with a migrations directory first.\n",
    );
  });
});
