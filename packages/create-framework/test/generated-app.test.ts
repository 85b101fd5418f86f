import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, create, linkWorkspace, removeTempDirs, runCommand, tempDir } from './helpers.ts';

afterAll(removeTempDirs);

// Each generated project is created without installing, given a node_modules that resolves this
// repository's framework packages, then type-checked and tested with its own configuration.
async function generateAndCheck(name: string, args: string[]) {
  const cwd = tempDir();
  const created = await create([name, ...args, '--yes', '--no-install'], cwd);
  expect(created.code).toBe(0);
  const project = join(cwd, name);
  linkWorkspace(project);
  const env = cleanEnv({ NO_COLOR: '1' });
  const tsc = await runCommand(
    process.execPath,
    [join(project, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', '.'],
    {
      cwd: project,
      env,
      timeout: 120_000,
    },
  );
  expect(tsc.stdout + tsc.stderr).toBe('');
  expect(tsc.code).toBe(0);
  const tests = await runCommand(process.execPath, [join(project, 'node_modules/vitest/vitest.mjs'), 'run'], {
    cwd: project,
    env,
    timeout: 120_000,
  });
  expect(tests.stderr).not.toMatch(/FAIL/);
  expect(tests.code).toBe(0);
  return { project, output: tests.stdout };
}

/** Starts the built app (`node dist/src/main.js`) and resolves with its URL once it listens. */
function startBuilt(project: string, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['dist/src/main.js'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const listening = new Promise<string>((resolve, reject) => {
    const onData = (chunk: string) => {
      log += chunk;
      const url = /"url":"(http:[^"]+)"/.exec(log)?.[1];
      if (url !== undefined) resolve(url);
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    void exited.then((code) => reject(new Error(`the app exited with ${code} before listening:\n${log}`)));
  });
  // Awaited only when the app is expected to start; a refused start is read from exit().
  listening.catch(() => undefined);
  return {
    listening,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      clearTimeout(killer);
      return { code, log };
    },
    async exit() {
      const code = await exited;
      clearTimeout(killer);
      return { code, log };
    },
  };
}

describe('a generated project against this repository', () => {
  it('api with db, cache, queue and auth type-checks, passes its tests, builds and runs from dist/', async () => {
    const { project, output } = await generateAndCheck('notes-api', [
      '--template',
      'api',
      '--packages',
      'db,cache,queue,auth',
    ]);
    expect(output).toMatch(/Tests\s+5 passed \(5\)/);

    // What `framework build` runs: the build config compiles framework.config.ts and src/, not the tests.
    const build = await runCommand(
      process.execPath,
      [join(project, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: project,
        timeout: 120_000,
      },
    );
    expect(build.stdout + build.stderr).toBe('');
    expect(existsSync(join(project, 'dist/src/main.js'))).toBe(true);
    expect(existsSync(join(project, 'dist/framework.config.js'))).toBe(true);
    expect(existsSync(join(project, 'dist/test'))).toBe(false);

    const app = startBuilt(project, cleanEnv({ PORT: '0', NODE_ENV: 'development' }));
    const url = await app.listening;
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    const created = await fetch(`${url}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'from the built app' }),
    });
    expect(created.status).toBe(201);
    expect(await (await fetch(`${url}/notes`)).json()).toEqual([{ id: 1, title: 'from the built app' }]);
    const signup = await fetch(`${url}/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', password: 'correct horse battery staple' }),
    });
    expect(await signup.json()).toEqual({ id: 1, email: 'ada@example.com', role: 'user' });
    const stopped = await app.stop();
    expect(stopped.code, stopped.log).toBe(0);

    // In production the embedded database, the in-process queue and per-process cookie, session and
    // token keys are refused, all named at once.
    const production = await startBuilt(project, cleanEnv({ PORT: '0', NODE_ENV: 'production' })).exit();
    expect(production.code).not.toBe(0);
    expect(production.log).toContain('FW_ERR_CONFIG');
    expect(production.log).toContain('DATABASE_URL');
    expect(production.log).toContain('REDIS_URL');
    expect(production.log).toContain('COOKIE_SECRET');
    expect(production.log).toContain('SESSION_SECRET');
    expect(production.log).toContain('JWT_SECRET');
  });

  it('api with auth alone keeps the accounts in memory, type-checks and passes its tests', async () => {
    const { project, output } = await generateAndCheck('accounts-api', ['--template', 'api', '--packages', 'auth']);
    expect(output).toMatch(/Tests\s+4 passed \(4\)/);
    expect(existsSync(join(project, 'src/schema.ts'))).toBe(false);
  });

  it('fullstack type-checks and passes its tests', async () => {
    const { output } = await generateAndCheck('notes-site', ['--template', 'fullstack']);
    expect(output).toMatch(/Tests\s+4 passed \(4\)/);
  });

  it('plugin type-checks and passes its tests', async () => {
    const { output } = await generateAndCheck('framework-plugin-greeter', ['--template', 'plugin']);
    expect(output).toMatch(/Tests\s+3 passed \(3\)/);
  });
});
