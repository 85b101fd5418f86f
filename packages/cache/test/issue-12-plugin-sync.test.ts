import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createApp } from '@framework/core';
import { describe, expect, it } from 'vitest';
import { cache } from '../src/index.ts';
import { REDIS_URL, recordingLogger } from './helpers.ts';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

// The README's rate-limit recipe, `if (app.redis) app.use(rateLimit(...))`, installed no limiter:
// the plugin's setup was async, so `app.redis` was set only after `ready()`. Setup is synchronous
// now: the decorations exist right after `use()`, and the wait for Redis is start-up work.

describe('cache() decorations right after use() (issue 12)', () => {
  it("the README's plugin recipe, as written, limits requests (429 after max)", async () => {
    const readme = readFileSync(`${packageDir}README.md`, 'utf8');
    const section = readme.slice(readme.indexOf('## The plugin'));
    const recipe = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(recipe, 'the README lost its plugin recipe').toMatch(/if \(app\.redis\) app\.use\(rateLimit\(/);
    const max = Number(/rateLimit\(\{ max: (\d+)/.exec(recipe ?? '')?.[1]);
    expect(max).toBeGreaterThan(0);
    const file = `${packageDir}.readme-plugin.ts`;
    writeFileSync(
      file,
      `${recipe}
const statuses: number[] = [];
for (let i = 0; i <= ${max}; i++) statuses.push((await app.request('/')).status);
console.log(JSON.stringify({ first: statuses[0], last: statuses.at(-1) }));
await app.stop();
`,
    );
    try {
      const { stdout } = await run(process.execPath, [file], {
        cwd: packageDir,
        env: { ...process.env, REDIS_URL },
        timeout: 30_000,
      });
      const { last } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { last: number };
      expect(last).toBe(429);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('app.cache and app.redis exist right after use(), and the start still waits for Redis', async () => {
    const app = createApp({ logger: false }).use(cache({ env: { REDIS_URL }, logger: recordingLogger() }));
    expect(app.cache).toBeDefined();
    expect(app.redis).toBeDefined();
    await app.ready();
    expect(app.redis?.status).toBe('ready');
    await app.stop();
  });

  it('a Redis that is not reachable does not fail the start: ready() resolves after connectTimeout, logged', async () => {
    const logger = recordingLogger();
    const app = createApp({ logger: false }).use(
      cache({ redis: 'redis://127.0.0.1:1', env: {}, logger, connectTimeout: 300 }),
    );
    const started = Date.now();
    await app.ready();
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(logger.lines.map((line) => line.message)).toEqual([expect.stringMatching(/^Redis is not reachable/)]);
    await app.stop();
  });
});
