import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, freePort, get, runCli, startCli } from './helpers.ts';

let app: Awaited<ReturnType<typeof copyFixture>>;
beforeAll(async () => {
  app = await copyFixture();
});
afterAll(async () => {
  await app.remove();
});

describe('framework build and framework start', () => {
  it('build compiles the app to JavaScript that start serves with NODE_ENV=production', async () => {
    await mkStale();
    const built = await runCli(['build'], { cwd: app.root, timeoutMs: 120_000 });
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);
    expect(built.stdout).toMatch(/built dist in \d+ ms; run it with framework start/);
    expect(existsSync(join(app.root, 'dist', 'src', 'main.js'))).toBe(true);
    expect(existsSync(join(app.root, 'dist', 'framework.config.js'))).toBe(true);
    expect(existsSync(join(app.root, 'dist', 'stale.js'))).toBe(false);

    const port = await freePort();
    const cli = startCli(['start', '--port', String(port)], { cwd: app.root, env: { GREETING: 'x' } });
    try {
      await cli.waitFor(/fixture listening on http:\/\/127\.0\.0\.1:\d+/);
      expect((await get(`http://127.0.0.1:${port}/`))?.body).toBe('{"message":"fixture v1"}');
      expect(await cli.stop()).toBe(0);
    } finally {
      await cli.stop();
    }
  });

  it('start --cluster serves from several workers sharing the port, and stops them all on SIGTERM', async () => {
    const port = await freePort();
    const cli = startCli(['start', '--cluster', '--workers', '2', '--port', String(port)], { cwd: app.root });
    try {
      await cli.waitFor(/fixture listening on http:\/\/127\.0\.0\.1:\d+[\s\S]*fixture listening on/, 60_000);
      const pids = new Set<number>();
      for (let i = 0; i < 20 && pids.size < 2; i++) {
        const answer = await get(`http://127.0.0.1:${port}/pid`);
        if (answer !== undefined) pids.add(JSON.parse(answer.body).pid);
      }
      expect(pids.size, cli.output()).toBe(2);
      expect(pids.has(cli.child.pid ?? 0)).toBe(false);
      expect(await cli.stop()).toBe(0);
      expect(await get(`http://127.0.0.1:${port}/pid`)).toBeUndefined();
    } finally {
      await cli.stop();
    }
  });

  it("build fails with exit code 1 and tsc's messages on a type error", async () => {
    await writeFile(join(app.root, 'src', 'broken.ts'), 'export const count: number = "three";\n');
    try {
      const { code, stdout, stderr } = await runCli(['build'], { cwd: app.root, timeoutMs: 120_000 });
      expect(code).toBe(1);
      expect(stdout).toMatch(/src\/broken\.ts\(1,14\): error TS2322: Type 'string' is not assignable to type 'number'/);
      expect(stderr).toContain('framework build: tsc found errors (above)');
    } finally {
      await writeFile(join(app.root, 'src', 'broken.ts'), 'export const count: number = 3;\n');
    }
  });

  it('start without a build says to build first', async () => {
    const empty = await copyFixture();
    try {
      const { code, stderr } = await runCli(['start'], { cwd: empty.root });
      expect(code).toBe(1);
      expect(stderr).toBe('framework start: dist/main.js not found: run framework build first.\n');
    } finally {
      await empty.remove();
    }
  });
});

/** A file left from an earlier build, which the next build must remove. */
async function mkStale(): Promise<void> {
  await mkdir(join(app.root, 'dist'), { recursive: true });
  await writeFile(join(app.root, 'dist', 'stale.js'), 'export {};\n');
}
