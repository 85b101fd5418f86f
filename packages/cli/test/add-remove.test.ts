import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyFixture, runCli } from './helpers.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function fixture(): Promise<string> {
  const app = await copyFixture();
  cleanups.push(app.remove);
  return app.root;
}

function typecheck(root: string): Promise<string> {
  const tsc = join(createRequire(import.meta.url).resolve('typescript/package.json'), '..', 'bin', 'tsc');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', 'tsconfig.json', '--noEmit'], { cwd: root });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code === 0 ? '' : output || `tsc exited with ${code}`);
    });
  });
}

describe('framework remove and framework add', () => {
  it('take the cache out of the app and put it back: the app compiles and runs either way', async () => {
    const root = await fixture();
    const app = join(root, 'src', 'app.ts');
    const config = join(root, 'framework.config.ts');

    const removed = await runCli(['remove', 'cache', '--no-install'], { cwd: root });
    expect(removed.stdout).toBe('framework remove: cache() taken out of src/app.ts\n');
    expect(removed.code).toBe(0);
    expect(await readFile(app, 'utf8')).not.toMatch(/cache/);
    expect(await typecheck(root)).toBe('');
    expect((await runCli(['routes'], { cwd: root })).code).toBe(0);
    const cleared = await runCli(['cache:clear'], { cwd: root });
    expect(cleared.code).toBe(1);
    expect(cleared.stderr).toContain('The app has no cache');

    const added = await runCli(['add', 'cache', '--no-install'], { cwd: root });
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('framework add: registered cache() in src/app.ts');
    expect(added.stdout).toContain('framework add: REDIS_URL added to the env schema in framework.config.ts');
    const source = await readFile(app, 'utf8');
    expect(source).toContain("import { cache } from '@framework/cache';\n");
    expect(source).toMatch(/\.use\(greeter\(\{ greeting: config\.greeting \}\)\)\s*\.use\(cache\(\)\)/);
    expect(await readFile(config, 'utf8')).toContain('  REDIS_URL: z.url().optional(),\n');
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
    expect(manifest.dependencies).toEqual({ '@framework/cache': 'latest' });
    expect(await typecheck(root)).toBe('');
    expect(await runCli(['cache:clear'], { cwd: root })).toMatchObject({ code: 0 });

    const again = await runCli(['remove', 'cache', '--no-install'], { cwd: root });
    expect(again.stdout).toContain('framework remove: REDIS_URL removed from the env schema in framework.config.ts');
    expect(await readFile(config, 'utf8')).not.toContain('REDIS_URL');
    expect(JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).dependencies).toEqual({});
  });

  it('remove lists the code that still uses what the battery provided, and exits 1', async () => {
    const root = await fixture();
    const app = join(root, 'src', 'app.ts');
    const source = await readFile(app, 'utf8');
    await writeFile(
      app,
      source.replace('  return app;', "  app.get('/cached', (ctx) => ctx.cache.get('key'));\n  return app;"),
    );
    const { code, stderr } = await runCli(['remove', 'cache', '--no-install'], { cwd: root });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^framework remove: code still uses what cache provided; change it before the next build:\n {2}src\/app\.ts:\d+: app\.get\('\/cached', \(ctx\) => ctx\.cache\.get\('key'\)\);\n$/,
    );
  });

  it('refuses an unknown battery, and one the app already has', async () => {
    const root = await fixture();
    const unknown = await runCli(['add', 'nosql', '--no-install'], { cwd: root });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toBe(
      'framework add: unknown battery "nosql": use one of db, cache, queue, auth.',
    );
    const twice = await runCli(['add', 'cache', '--no-install'], { cwd: root });
    expect(twice.code).toBe(1);
    expect(twice.stderr).toBe(
      'framework add: cache is already in the app: src/app.ts imports cache from @framework/cache.\n',
    );
  });
});
