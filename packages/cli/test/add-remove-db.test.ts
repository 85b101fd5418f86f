import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, runCli } from './helpers.ts';

let app: Awaited<ReturnType<typeof copyFixture>>;
beforeAll(async () => {
  app = await copyFixture();
  await mkdir(join(app.root, 'test'), { recursive: true });
  // As in apps create-framework makes: opening the embedded database can take seconds on a busy machine.
  await writeFile(
    join(app.root, 'vitest.config.ts'),
    `import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 30_000 } });
`,
  );
  // The app's own test, as a user would keep it: it passes with the database and without it.
  await writeFile(
    join(app.root, 'test', 'app.test.ts'),
    `import { expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';

it('answers, and its health checks are up', async () => {
  const app = buildApp();
  await app.ready();
  try {
    expect(await (await app.request('/')).json()).toEqual({ message: 'fixture v1' });
    const health = await app.health();
    expect(health.status).toBe('up');
    console.log('health checks: ' + Object.keys(health.checks).sort().join(','));
  } finally {
    await app.stop();
  }
});
`,
  );
});
afterAll(async () => {
  await app.remove();
});

describe('framework add db, then framework remove db', () => {
  it('leave an app that builds and passes its tests each time', async () => {
    const source = join(app.root, 'src', 'app.ts');
    const added = await runCli(['add', 'db', '--no-install'], { cwd: app.root });
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(await readFile(source, 'utf8')).toContain("import { database } from '@framework/db';");
    expect(existsSync(join(app.root, 'migrations'))).toBe(true);

    const builtWithDb = await runCli(['build'], { cwd: app.root, timeoutMs: 120_000 });
    expect(builtWithDb.stdout + builtWithDb.stderr).toMatch(/built dist in \d+ ms/);
    expect(builtWithDb.code).toBe(0);
    const testedWithDb = await runCli(['test'], { cwd: app.root, timeoutMs: 120_000 });
    expect(testedWithDb.stdout, testedWithDb.stderr).toContain('health checks: database,greeter');
    expect(testedWithDb.stdout).toMatch(/Tests +1 passed \(1\)/);
    expect(testedWithDb.code).toBe(0);
    const routes = await runCli(['routes'], { cwd: app.root });
    expect(routes.code).toBe(0);
    expect(await runCli(['migrate:status'], { cwd: app.root })).toMatchObject({ code: 0 });

    const removed = await runCli(['remove', 'db', '--no-install'], { cwd: app.root });
    expect(removed.stderr).toBe('');
    expect(removed.code).toBe(0);
    expect(await readFile(source, 'utf8')).not.toMatch(/database|@framework\/db/);
    expect(await readFile(join(app.root, 'framework.config.ts'), 'utf8')).not.toContain('DATABASE_URL');
    expect(JSON.parse(await readFile(join(app.root, 'package.json'), 'utf8')).dependencies).toEqual({});

    const built = await runCli(['build'], { cwd: app.root, timeoutMs: 120_000 });
    expect(built.code, built.stdout + built.stderr).toBe(0);
    const tested = await runCli(['test'], { cwd: app.root, timeoutMs: 120_000 });
    expect(tested.stdout, tested.stderr).toContain('health checks: greeter');
    expect(tested.code).toBe(0);
  }, 300_000);
});
